using System.Buffers.Binary;

namespace PosMonitor.Core.Rollups;

/// <summary>
/// A <see cref="TerminalMinute"/> as a few bytes: a bit per field that is not zero (or not null), then those fields as
/// variable-length integers (doubles as their 8 bytes). A heartbeat-only minute, most of a fleet's minutes, takes
/// about 20 bytes instead of a 200-byte object, which is what lets the portal hold a 200,000-terminal fleet's
/// detection window (17 minutes × every terminal) in memory. Reading back gives exactly the rollup written.
/// </summary>
public static class PackedMinute
{
    /// <summary>Most bytes one rollup can take: the flags, 25 fields of at most 10 bytes, three arrays of 8.</summary>
    public const int MaxLength = 5 + 25 * 10 + 3 * TerminalMinute.StageCount * 10;

    private enum Field
    {
        Transactions, Approved, Declined, Timeouts, Errors, Cancelled, TimeoutsByStage, ErrorsByStage, StageMsSum,
        LatencySumMs, LatencyMaxMs, StageMsSamples, SlowHost, SlowGateway, AmountSumMinor, AmountCount, Heartbeats,
        NetLatencySumMs, NetLatencyMaxMs, PacketLossSumPct, PacketLossMaxPct, SignalMinDbm, CpuMaxPct, MemoryMaxPct,
        PrinterFaults, ScannerFaults, Restarts, PendingOfflineMax,
    }

    /// <summary>Writes <paramref name="m"/> (not its terminal or minute, which the holder keeps) and returns the bytes used.</summary>
    public static int Write(TerminalMinute m, Span<byte> to)
    {
        uint flags = 0;
        var w = new Writer(to, 5);
        w.Int(ref flags, Field.Transactions, m.Transactions);
        w.Int(ref flags, Field.Approved, m.Approved);
        w.Int(ref flags, Field.Declined, m.Declined);
        w.Int(ref flags, Field.Timeouts, m.Timeouts);
        w.Int(ref flags, Field.Errors, m.Errors);
        w.Int(ref flags, Field.Cancelled, m.Cancelled);
        w.Array(ref flags, Field.TimeoutsByStage, m.TimeoutsByStageIfAny);
        w.Array(ref flags, Field.ErrorsByStage, m.ErrorsByStageIfAny);
        if (m.StageMsSumIfAny is { } stageMs)
        {
            flags |= 1u << (int)Field.StageMsSum;
            foreach (var v in stageMs) w.Long(v);
        }
        w.Long(ref flags, Field.LatencySumMs, m.LatencySumMs);
        w.Int(ref flags, Field.LatencyMaxMs, m.LatencyMaxMs);
        w.Int(ref flags, Field.StageMsSamples, m.StageMsSamples);
        w.Int(ref flags, Field.SlowHost, m.SlowHost);
        w.Int(ref flags, Field.SlowGateway, m.SlowGateway);
        w.Long(ref flags, Field.AmountSumMinor, m.AmountSumMinor);
        w.Int(ref flags, Field.AmountCount, m.AmountCount);
        w.Int(ref flags, Field.Heartbeats, m.Heartbeats);
        w.Long(ref flags, Field.NetLatencySumMs, m.NetLatencySumMs);
        w.Int(ref flags, Field.NetLatencyMaxMs, m.NetLatencyMaxMs);
        w.Double(ref flags, Field.PacketLossSumPct, m.PacketLossSumPct);
        w.Double(ref flags, Field.PacketLossMaxPct, m.PacketLossMaxPct);
        w.Nullable(ref flags, Field.SignalMinDbm, m.SignalMinDbm);
        w.Nullable(ref flags, Field.CpuMaxPct, m.CpuMaxPct);
        w.Nullable(ref flags, Field.MemoryMaxPct, m.MemoryMaxPct);
        w.Int(ref flags, Field.PrinterFaults, m.PrinterFaults);
        w.Int(ref flags, Field.ScannerFaults, m.ScannerFaults);
        w.Int(ref flags, Field.Restarts, m.Restarts);
        w.Int(ref flags, Field.PendingOfflineMax, m.PendingOfflineMax);
        // The flags go in front, in as few bytes as they need: the fields were written after a gap of 5.
        var head = new Writer(to, 0);
        head.ULong(flags);
        var gap = 5 - head.Position;
        if (gap > 0) to[5..w.Position].CopyTo(to[head.Position..]);
        return w.Position - gap;
    }

    /// <summary>Fills <paramref name="into"/> (made empty first) from bytes <see cref="Write"/> wrote.</summary>
    public static void Read(ReadOnlySpan<byte> from, string terminalId, DateTimeOffset minute, TerminalMinute into)
    {
        into.Reset(terminalId, minute);
        var r = new Reader(from);
        var flags = (uint)r.ULong();
        bool has(Field f) => (flags & (1u << (int)f)) != 0;
        if (has(Field.Transactions)) into.Transactions = r.Int();
        if (has(Field.Approved)) into.Approved = r.Int();
        if (has(Field.Declined)) into.Declined = r.Int();
        if (has(Field.Timeouts)) into.Timeouts = r.Int();
        if (has(Field.Errors)) into.Errors = r.Int();
        if (has(Field.Cancelled)) into.Cancelled = r.Int();
        if (has(Field.TimeoutsByStage)) r.Ints(into.TimeoutsByStage);
        if (has(Field.ErrorsByStage)) r.Ints(into.ErrorsByStage);
        if (has(Field.StageMsSum))
        {
            var sums = into.StageMsSum;
            for (var i = 0; i < sums.Length; i++) sums[i] = r.Long();
        }
        if (has(Field.LatencySumMs)) into.LatencySumMs = r.Long();
        if (has(Field.LatencyMaxMs)) into.LatencyMaxMs = r.Int();
        if (has(Field.StageMsSamples)) into.StageMsSamples = r.Int();
        if (has(Field.SlowHost)) into.SlowHost = r.Int();
        if (has(Field.SlowGateway)) into.SlowGateway = r.Int();
        if (has(Field.AmountSumMinor)) into.AmountSumMinor = r.Long();
        if (has(Field.AmountCount)) into.AmountCount = r.Int();
        if (has(Field.Heartbeats)) into.Heartbeats = r.Int();
        if (has(Field.NetLatencySumMs)) into.NetLatencySumMs = r.Long();
        if (has(Field.NetLatencyMaxMs)) into.NetLatencyMaxMs = r.Int();
        if (has(Field.PacketLossSumPct)) into.PacketLossSumPct = r.Double();
        if (has(Field.PacketLossMaxPct)) into.PacketLossMaxPct = r.Double();
        if (has(Field.SignalMinDbm)) into.SignalMinDbm = r.Int();
        if (has(Field.CpuMaxPct)) into.CpuMaxPct = r.Int();
        if (has(Field.MemoryMaxPct)) into.MemoryMaxPct = r.Int();
        if (has(Field.PrinterFaults)) into.PrinterFaults = r.Int();
        if (has(Field.ScannerFaults)) into.ScannerFaults = r.Int();
        if (has(Field.Restarts)) into.Restarts = r.Int();
        if (has(Field.PendingOfflineMax)) into.PendingOfflineMax = r.Int();
    }

    private ref struct Writer(Span<byte> to, int position)
    {
        private readonly Span<byte> _to = to;
        public int Position = position;

        public void Int(ref uint flags, Field f, int v)
        {
            if (v == 0) return;
            flags |= 1u << (int)f;
            Long(v);
        }

        public void Long(ref uint flags, Field f, long v)
        {
            if (v == 0) return;
            flags |= 1u << (int)f;
            Long(v);
        }

        public void Nullable(ref uint flags, Field f, int? v)
        {
            if (v is not { } value) return;
            flags |= 1u << (int)f;
            Long(value);
        }

        public void Double(ref uint flags, Field f, double v)
        {
            // Bits, not value: -0.0 and NaN come back as they went in.
            var bits = BitConverter.DoubleToInt64Bits(v);
            if (bits == 0) return;
            flags |= 1u << (int)f;
            BinaryPrimitives.WriteInt64LittleEndian(_to[Position..], bits);
            Position += 8;
        }

        public void Array(ref uint flags, Field f, int[]? values)
        {
            if (values is null) return;
            flags |= 1u << (int)f;
            foreach (var v in values) Long(v);
        }

        /// <summary>Zigzag, then 7 bits a byte.</summary>
        public void Long(long v) => ULong((ulong)((v << 1) ^ (v >> 63)));

        public void ULong(ulong v)
        {
            while (v >= 0x80)
            {
                _to[Position++] = (byte)(v | 0x80);
                v >>= 7;
            }
            _to[Position++] = (byte)v;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> from)
    {
        private readonly ReadOnlySpan<byte> _from = from;
        private int _position;

        public ulong ULong()
        {
            ulong v = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = _from[_position++];
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return v;
            }
        }

        public long Long()
        {
            var u = ULong();
            return (long)(u >> 1) ^ -(long)(u & 1);
        }

        public int Int() => checked((int)Long());

        public double Double()
        {
            var bits = BinaryPrimitives.ReadInt64LittleEndian(_from[_position..]);
            _position += 8;
            return BitConverter.Int64BitsToDouble(bits);
        }

        public void Ints(int[] into)
        {
            for (var i = 0; i < into.Length; i++) into[i] = Int();
        }
    }
}
