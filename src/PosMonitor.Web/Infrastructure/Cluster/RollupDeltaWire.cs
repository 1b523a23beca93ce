using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// A committed rollup change as it crosses to the other nodes: what the pages, the heatmap and detection read (the
/// per-minute figures, the terminals' newest states and firmware changes), never the raw events. Binary, and of a
/// minute only the figures that are not zero (by their place in <see cref="RollupColumns.All"/>): a heartbeat's minute
/// is a few dozen bytes, so the full ingestion rate (thousands of events a second) costs Redis little.
/// </summary>
public static class RollupDeltaWire
{
    /// <summary>Changes with another version (a node of another release, during a rolling upgrade) are ignored, not misread.</summary>
    private const byte Version = 1;

    public static byte[] Write(RollupDelta delta)
    {
        using var buffer = new MemoryStream();
        using var w = new BinaryWriter(buffer);
        w.Write(Version);
        var row = new CapturedRow(RollupColumns.All.Count);
        w.Write(delta.Minutes.Count);
        foreach (var minute in delta.Minutes.Values)
        {
            w.Write(minute.TerminalId);
            w.Write(DbTime.ToMs(minute.Minute));
            for (var i = 0; i < RollupColumns.All.Count; i++) RollupColumns.All[i].Bind(row, i, minute);
            row.WriteSet(w);
        }
        w.Write(delta.States.Count);
        foreach (var s in delta.States.Values) WriteState(w, s);
        w.Write(delta.FirmwareChanges.Count);
        foreach (var f in delta.FirmwareChanges)
        {
            w.Write(f.TerminalId);
            w.Write(f.At.UtcTicks);
            WriteNullable(w, f.From);
            w.Write(f.To);
        }
        // Last, so a node of the release before reads the rest and ignores them.
        w.Write(delta.Commits.Count);
        foreach (var stamp in delta.Commits) w.Write(stamp);
        w.Flush();
        return buffer.ToArray();
    }

    /// <returns>Null when the change was written by another version.</returns>
    public static RollupDelta? Read(ReadOnlyMemory<byte> bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes.ToArray(), writable: false));
        if (r.ReadByte() != Version) return null;
        var minutes = r.ReadInt32();
        var delta = new RollupDelta(minutes, 0);
        for (var m = 0; m < minutes; m++)
        {
            var minute = new TerminalMinute(r.ReadString(), DbTime.FromMs(r.ReadInt64()));
            for (int set = r.ReadByte(); set > 0; set--)
            {
                var column = RollupColumns.All[r.ReadByte()];
                object value = r.ReadByte() == CapturedRow.Double ? r.ReadDouble() : r.ReadInt64();
                column.Set(minute, value);
            }
            delta.Minutes[(minute.TerminalId, minute.Minute)] = minute;
        }
        for (var states = r.ReadInt32(); states > 0; states--)
        {
            var s = ReadState(r);
            delta.States[s.TerminalId] = s;
        }
        for (var changes = r.ReadInt32(); changes > 0; changes--)
            delta.FirmwareChanges.Add(new FirmwareChange(r.ReadString(), new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero), ReadNullableString(r), r.ReadString()));
        // A node of the release before sends no commit stamps.
        if (r.BaseStream.Position < r.BaseStream.Length)
            for (var commits = r.ReadInt32(); commits > 0; commits--) delta.Commits.Add(r.ReadInt64());
        return delta;
    }

    private static void WriteState(BinaryWriter w, TerminalState s)
    {
        w.Write(s.TerminalId);
        WriteNullable(w, s.LastSeenAt?.UtcTicks);
        WriteNullable(w, s.LastHeartbeatAt?.UtcTicks);
        WriteNullable(w, s.LastTransactionAt?.UtcTicks);
        WriteNullable(w, (long?)s.NetworkType);
        WriteNullable(w, s.SignalDbm);
        WriteNullable(w, s.LatencyMs);
        WriteNullable(w, s.PacketLossPct);
        WriteNullable(w, s.Firmware);
        WriteNullable(w, s.FirmwareSince?.UtcTicks);
        WriteNullable(w, s.UptimeSec);
        WriteNullable(w, s.BatteryPct);
        WriteNullable(w, s.CpuPct);
        WriteNullable(w, s.MemoryPct);
        WriteNullable(w, (long?)s.Printer);
        WriteNullable(w, (long?)s.Scanner);
        WriteNullable(w, s.PendingOffline);
    }

    private static TerminalState ReadState(BinaryReader r) => new()
    {
        TerminalId = r.ReadString(),
        LastSeenAt = Time(ReadNullableLong(r)),
        LastHeartbeatAt = Time(ReadNullableLong(r)),
        LastTransactionAt = Time(ReadNullableLong(r)),
        NetworkType = (NetworkType?)ReadNullableLong(r),
        SignalDbm = (int?)ReadNullableLong(r),
        LatencyMs = (int?)ReadNullableLong(r),
        PacketLossPct = ReadNullableDouble(r),
        Firmware = ReadNullableString(r),
        FirmwareSince = Time(ReadNullableLong(r)),
        UptimeSec = ReadNullableLong(r),
        BatteryPct = (int?)ReadNullableLong(r),
        CpuPct = (int?)ReadNullableLong(r),
        MemoryPct = (int?)ReadNullableLong(r),
        Printer = (PrinterStatus?)ReadNullableLong(r),
        Scanner = (ScannerStatus?)ReadNullableLong(r),
        PendingOffline = (int?)ReadNullableLong(r),
    };

    private static DateTimeOffset? Time(long? ticks) => ticks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    private static void WriteNullable(BinaryWriter w, long? value)
    {
        w.Write(value.HasValue);
        if (value is { } v) w.Write(v);
    }

    private static void WriteNullable(BinaryWriter w, double? value)
    {
        w.Write(value.HasValue);
        if (value is { } v) w.Write(v);
    }

    private static void WriteNullable(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null) w.Write(value);
    }

    private static long? ReadNullableLong(BinaryReader r) => r.ReadBoolean() ? r.ReadInt64() : null;
    private static double? ReadNullableDouble(BinaryReader r) => r.ReadBoolean() ? r.ReadDouble() : null;
    private static string? ReadNullableString(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    /// <summary>
    /// Takes a minute's figures as <see cref="RollupColumns"/> binds them for the upsert, so a figure added to the
    /// rollups crosses to the other nodes without a change here. Zeros and nulls (a figure's starting value) are left out.
    /// </summary>
    private sealed class CapturedRow(int columns) : RowCommand
    {
        public const byte Long = 1;
        public const byte Double = 2;
        private readonly byte[] _kinds = new byte[columns];
        private readonly long[] _longs = new long[columns];
        private readonly double[] _doubles = new double[columns];

        public override void Set(int index, long value) => (_kinds[index], _longs[index]) = (value == 0 ? (byte)0 : Long, value);
        public override void Set(int index, double value) => (_kinds[index], _doubles[index]) = (value == 0 ? (byte)0 : Double, value);
        public override void Set(int index, string? value) => throw new NotSupportedException("Rollup figures are numbers.");
        public override void SetNull(int index) => _kinds[index] = 0;
        public override int Execute() => throw new NotSupportedException();
        public override bool Exists() => throw new NotSupportedException();
        public override void Dispose() { }

        public void WriteSet(BinaryWriter w)
        {
            byte set = 0;
            foreach (var kind in _kinds) if (kind != 0) set++;
            w.Write(set);
            for (var i = 0; i < _kinds.Length; i++)
            {
                if (_kinds[i] == 0) continue;
                w.Write((byte)i);
                w.Write(_kinds[i]);
                if (_kinds[i] == Double) w.Write(_doubles[i]);
                else w.Write(_longs[i]);
            }
        }
    }
}
