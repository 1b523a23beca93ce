namespace PosMonitor.Core.Telemetry;

// Wire names are the lower-case spellings of src/PosMonitor.Web/Features/Telemetry/telemetry-api.md; Wire.Name/Wire.TryParse convert.

public enum NetworkType { Wifi, Cellular, Ethernet }

public enum PrinterStatus { Ok, PaperOut, Jam, Offline, Error, Absent }

public enum ScannerStatus { Ok, Error, Absent }

public enum Outcome { Approved, Declined, Timeout, Error, Cancelled }

/// <summary>Where a sale stopped, in the order a sale passes them.</summary>
public enum Stage { Input, Connect, Send, Host, Gateway, Print, Notify, App }

public static class Wire
{
    private static readonly string[] NetworkNames = ["wifi", "cellular", "ethernet"];
    private static readonly string[] PrinterNames = ["ok", "paper_out", "jam", "offline", "error", "absent"];
    private static readonly string[] ScannerNames = ["ok", "error", "absent"];
    private static readonly string[] OutcomeNames = ["approved", "declined", "timeout", "error", "cancelled"];
    private static readonly string[] StageNames = ["input", "connect", "send", "host", "gateway", "print", "notify", "app"];

    // The same names as UTF-8, for readers that compare bytes without making strings.
    internal static readonly byte[][] NetworkUtf8 = Utf8(NetworkNames);
    internal static readonly byte[][] PrinterUtf8 = Utf8(PrinterNames);
    internal static readonly byte[][] ScannerUtf8 = Utf8(ScannerNames);
    internal static readonly byte[][] OutcomeUtf8 = Utf8(OutcomeNames);
    internal static readonly byte[][] StageUtf8 = Utf8(StageNames);

    public static IReadOnlyList<string> Stages => StageNames;
    public static IReadOnlyList<string> Outcomes => OutcomeNames;

    public static string Name(NetworkType v) => NetworkNames[(int)v];
    public static string Name(PrinterStatus v) => PrinterNames[(int)v];
    public static string Name(ScannerStatus v) => ScannerNames[(int)v];
    public static string Name(Outcome v) => OutcomeNames[(int)v];
    public static string Name(Stage v) => StageNames[(int)v];

    public static bool TryParse(string? s, out NetworkType v) => TryIndex(NetworkNames, s, out v);
    public static bool TryParse(string? s, out PrinterStatus v) => TryIndex(PrinterNames, s, out v);
    public static bool TryParse(string? s, out ScannerStatus v) => TryIndex(ScannerNames, s, out v);
    public static bool TryParse(string? s, out Outcome v) => TryIndex(OutcomeNames, s, out v);
    public static bool TryParse(string? s, out Stage v) => TryIndex(StageNames, s, out v);

    public static string Choices<T>() where T : struct, Enum => typeof(T).Name switch
    {
        nameof(NetworkType) => string.Join(", ", NetworkNames),
        nameof(PrinterStatus) => string.Join(", ", PrinterNames),
        nameof(ScannerStatus) => string.Join(", ", ScannerNames),
        nameof(Outcome) => string.Join(", ", OutcomeNames),
        _ => string.Join(", ", StageNames),
    };

    /// <summary>The index of <paramref name="utf8"/> among <paramref name="names"/>, or -1.</summary>
    internal static int IndexOf(byte[][] names, ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i < names.Length; i++)
            if (utf8.SequenceEqual(names[i])) return i;
        return -1;
    }

    private static byte[][] Utf8(string[] names) => [.. names.Select(System.Text.Encoding.UTF8.GetBytes)];

    /// <summary>Reads an enum from its wire name: the name's index in <paramref name="names"/> is the enum value.</summary>
    internal static bool TryIndex<T>(string[] names, string? s, out T value) where T : struct, Enum
    {
        var i = s is null ? -1 : Array.IndexOf(names, s);
        value = i < 0 ? default : (T)(object)i;
        return i >= 0;
    }
}
