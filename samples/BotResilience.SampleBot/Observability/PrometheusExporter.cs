using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace BotResilience.SampleBot.Observability;

/// <summary>
/// Serves /metrics in the Prometheus text format from a <see cref="MeterListener"/> over the library meter
/// (<c>BotResilience</c>) and the sample's meter. Counters are summed per tag set, gauges keep the last value,
/// histograms export count, sum and fixed buckets.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Buckets = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Tags), Series> _series = new();
    private readonly ConcurrentDictionary<string, (string Kind, string? Description)> _meta = new();
    private readonly HashSet<string> _meters;

    /// <summary>Starts listening.</summary>
    /// <param name="meterNames">Meters to export.</param>
    public PrometheusExporter(params string[] meterNames)
    {
        _meters = new HashSet<string>(meterNames, StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_meters.Contains(instrument.Meter.Name))
            {
                _meta.TryAdd(Sanitize(instrument.Name), (Kind(instrument), instrument.Description));
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (i, v, tags, state) => ((PrometheusExporter)state!).Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>(static (i, v, tags, state) => ((PrometheusExporter)state!).Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>(static (i, v, tags, state) => ((PrometheusExporter)state!).Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>(static (i, v, tags, state) => ((PrometheusExporter)state!).Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>Renders the current values.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var sb = new StringBuilder();
        foreach (IGrouping<string, KeyValuePair<(string Name, string Tags), Series>> group in _series.OrderBy(p => p.Key.Name, StringComparer.Ordinal).ThenBy(p => p.Key.Tags, StringComparer.Ordinal).GroupBy(p => p.Key.Name))
        {
            (string kind, string? description) = _meta.TryGetValue(group.Key, out var m) ? m : ("gauge", null);
            string name = kind == "counter" ? group.Key + "_total" : group.Key;
            if (!string.IsNullOrEmpty(description))
            {
                sb.Append("# HELP ").Append(name).Append(' ').Append(description.Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
            }

            sb.Append("# TYPE ").Append(name).Append(' ').Append(kind).Append('\n');
            foreach (var p in group)
            {
                Series s = p.Value;
                lock (s)
                {
                    if (kind == "histogram")
                    {
                        for (int b = 0; b < Buckets.Length; b++)
                        {
                            sb.Append(name).Append("_bucket").Append(WithTag(p.Key.Tags, "le", Buckets[b].ToString(CultureInfo.InvariantCulture))).Append(' ').Append(s.BucketCounts![b].ToString(CultureInfo.InvariantCulture)).Append('\n');
                        }

                        sb.Append(name).Append("_bucket").Append(WithTag(p.Key.Tags, "le", "+Inf")).Append(' ').Append(s.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                        sb.Append(name).Append("_sum").Append(Braces(p.Key.Tags)).Append(' ').Append(s.Sum.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                        sb.Append(name).Append("_count").Append(Braces(p.Key.Tags)).Append(' ').Append(s.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }
                    else
                    {
                        sb.Append(name).Append(Braces(p.Key.Tags)).Append(' ').Append(s.Value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                    }
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>The value of a counter or gauge summed over tag sets (tests, console view).</summary>
    /// <param name="instrumentName">Instrument name as created (dots allowed).</param>
    public double Sum(string instrumentName)
    {
        string n = Sanitize(instrumentName);
        return _series.Where(p => p.Key.Name == n).Sum(p => p.Value.Kind == "histogram" ? p.Value.Count : p.Value.Value);
    }

    /// <summary>Collects observable instruments now.</summary>
    public void Collect() => _listener.RecordObservableInstruments();

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string kind = Kind(instrument);
        var key = (Sanitize(instrument.Name), FormatTags(tags));
        Series s = _series.GetOrAdd(key, static (_, k) => new Series(k), kind);
        lock (s)
        {
            switch (kind)
            {
                case "histogram":
                    s.Count++;
                    s.Sum += value;
                    for (int b = 0; b < Buckets.Length; b++)
                    {
                        if (value <= Buckets[b])
                        {
                            s.BucketCounts![b]++;
                        }
                    }

                    break;
                case "counter" when !instrument.IsObservable:
                case "gauge" when instrument.GetType().Name.StartsWith("UpDownCounter", StringComparison.Ordinal):
                    s.Value += value;
                    break;
                default:
                    s.Value = value; // observable counters report totals; gauges and up-down counters the current value
                    break;
            }
        }
    }

    private static string Kind(Instrument i) => i switch
    {
        _ when i.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal) => "histogram",
        _ when i.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal) || i.GetType().Name.StartsWith("Counter", StringComparison.Ordinal) => "counter",
        _ => "gauge",
    };

    private static string FormatTags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }

        var parts = new List<string>(tags.Length);
        foreach (KeyValuePair<string, object?> t in tags)
        {
            string v = Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? string.Empty;
            parts.Add(Sanitize(t.Key) + "=\"" + v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"");
        }

        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    private static string Braces(string tags) => tags.Length == 0 ? string.Empty : "{" + tags + "}";

    private static string WithTag(string tags, string key, string value) => "{" + (tags.Length == 0 ? string.Empty : tags + ",") + key + "=\"" + value + "\"}";

    private static string Sanitize(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return sb.ToString();
    }

    private sealed class Series
    {
        public Series(string kind)
        {
            Kind = kind;
            BucketCounts = kind == "histogram" ? new long[Buckets.Length] : null;
        }

        public string Kind { get; }

        public double Value { get; set; }

        public long Count { get; set; }

        public double Sum { get; set; }

        public long[]? BucketCounts { get; }
    }
}
