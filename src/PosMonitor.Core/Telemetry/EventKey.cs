using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace PosMonitor.Core.Telemetry;

/// <summary>
/// What makes two events one (telemetry-api.md: a resend repeats both): kind, timestamp and eventId,
/// hashed to 128 bits. The live duplicate check (in memory and in <c>event_keys</c>) and the replay's use
/// the same key, so a replay of a file holding resends stores what the live API would have.
/// </summary>
public static class EventKey
{
    /// <summary>
    /// The key as the table stores it: a 128-bit hash of kind, timestamp (epoch ms) and eventId, as two signed
    /// 64-bit halves. Heartbeats and sales are separate lists, so the same id in both is two events.
    /// </summary>
    public static (long Hi, long Lo) Of(EventKind kind, long ts, string eventId)
    {
        var length = 9 + Encoding.UTF8.GetMaxByteCount(eventId.Length);
        var rented = length <= 512 ? null : ArrayPool<byte>.Shared.Rent(length);
        var buffer = rented ?? stackalloc byte[length];
        buffer[0] = (byte)kind;
        BitConverter.TryWriteBytes(buffer[1..], ts);
        var written = 9 + Encoding.UTF8.GetBytes(eventId, buffer[9..]);
        var key = XxHash128.HashToUInt128(buffer[..written]);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return ((long)(ulong)(key >> 64), (long)(ulong)key);
    }
}
