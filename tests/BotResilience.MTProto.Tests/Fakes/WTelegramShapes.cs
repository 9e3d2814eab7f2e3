// Exception types with EXACTLY the shape of WTelegramClient 4.4's (which cannot be restored here).
#pragma warning disable CA1032, CA1064, RCS1194, IDE0130
namespace WTelegram
{
    public class WTException : Exception
    {
        public WTException(string message)
            : base(message)
        {
        }

        public WTException(string message, Exception innerException)
            : base(message, innerException)
        {
        }
    }
}

namespace TL
{
    public sealed class RpcException : WTelegram.WTException
    {
        public readonly int Code;
        public readonly int X;

        public RpcException(int code, string message, int x = -1)
            : base(message)
        {
            Code = code;
            X = x;
        }
    }
}

namespace Telethon.Errors
{
    /// <summary>A .NET port of Telethon's FloodWaitError: a <c>Seconds</c> property and Telethon's message text.</summary>
    public class FloodWaitError : Exception
    {
        public FloodWaitError(int seconds, string request = "GetHistoryRequest")
            : base($"A wait of {seconds} seconds is required (caused by {request})")
        {
            Seconds = seconds;
        }

        public int Seconds { get; }

        public int Code => 420;
    }

    public sealed class SlowModeWaitError : FloodWaitError
    {
        public SlowModeWaitError(int seconds)
            : base(seconds, "SendMessageRequest")
        {
        }
    }

    /// <summary>Telethon's PeerFloodError: message "Too many requests".</summary>
    public sealed class PeerFloodError : Exception
    {
        public PeerFloodError()
            : base("Too many requests (caused by InviteToChannelRequest)")
        {
        }

        public int Code => 400;
    }

    /// <summary>Telethon's InvalidBufferError as seen in seed 001.</summary>
    public sealed class InvalidBufferError : Exception
    {
        public InvalidBufferError(int code)
            : base($"Invalid response buffer (HTTP code {code})")
        {
        }
    }
}
#pragma warning restore CA1032, CA1064, RCS1194, IDE0130
