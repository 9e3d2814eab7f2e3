#!/usr/bin/env bash
# The "dotnet add package BotResilience" path: a fresh console app outside this repository consumes the
# packed package from a local folder feed and runs.
set -euo pipefail
feed="${1:?usage: consumer-smoke.sh <folder with .nupkg files>}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > nuget.config <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$feed" />
  </packageSources>
</configuration>
XML
dotnet new console -n ConsumerBot -o ConsumerBot >/dev/null
cd ConsumerBot
dotnet add package BotResilience --prerelease >/dev/null 2>&1 || dotnet add package BotResilience
cat > Program.cs <<'CS'
using BotResilience.RateLimiting;

var limiter = new SlidingWindowLimiter(new SlidingWindowLimiterOptions { PermitLimit = 2, Window = TimeSpan.FromSeconds(1) });
var first = limiter.TryAcquire();
var second = limiter.TryAcquire();
var third = limiter.TryAcquire();
Console.WriteLine($"granted={first.IsGranted},{second.IsGranted},{third.IsGranted} retryAfter={third.RetryAfter}");
return first.IsGranted && second.IsGranted && !third.IsGranted && third.RetryAfter > TimeSpan.Zero ? 0 : 1;
CS
dotnet run -c Release
echo "consumer app ran against the packed BotResilience package"
