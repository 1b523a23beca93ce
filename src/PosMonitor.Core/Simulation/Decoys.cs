namespace PosMonitor.Core.Simulation;

/// <summary>
/// Situations that look odd but must not open incidents, each recorded in the ground truth as a
/// <see cref="GroundTruthKind.Decoy"/> (or <see cref="GroundTruthKind.Maintenance"/>). Placed by the
/// seed relative to the run; a run without an end places them as if it lasted six hours.
/// </summary>
[Flags]
public enum Decoys
{
    None = 0,
    /// <summary>
    /// One gateway fails 60% of its sales for 45-90 s from any second of a minute, at about 60% of the run: a hiccup that
    /// clears by itself, spanning two or three of detection's minutes as one in a real estate does.
    /// </summary>
    Blip = 1,
    /// <summary>
    /// Shops close and their terminals go quiet (most are switched off). Every merchant that closes during
    /// the run is recorded; when fewer than three would, a few close at mid-run (their fleet hours say so).
    /// </summary>
    NightClosing = 2,
    /// <summary>A quiet terminal makes exactly two sales in an hour at 30% of the run, one of which times out.</summary>
    SparseTerminal = 4,
    /// <summary>The stores that always run hot (they exist in every fleet) are recorded for the whole run.</summary>
    HotStores = 8,
    /// <summary>A firmware version reaches 40% more terminals over an hour from 35% of the run, with no defect; each restarts once.</summary>
    QuietRollout = 16,
    /// <summary>A gateway is down for planned maintenance for 20 minutes at 80% of the run.</summary>
    MaintenanceWindow = 32,
    All = Blip | NightClosing | SparseTerminal | HotStores | QuietRollout | MaintenanceWindow,
}

public static class DecoyNames
{
    private static readonly (Decoys Decoy, string Name)[] Table =
    [
        (Decoys.Blip, "blip"), (Decoys.NightClosing, "night_closing"), (Decoys.SparseTerminal, "sparse_terminal"),
        (Decoys.HotStores, "hot_stores"), (Decoys.QuietRollout, "quiet_rollout"), (Decoys.MaintenanceWindow, "maintenance"),
    ];

    public static IEnumerable<string> All => Table.Select(t => t.Name);

    public static string Name(Decoys decoy) => Table.First(t => t.Decoy == decoy).Name;

    /// <summary>"blip,hot_stores", "all" or "none".</summary>
    /// <exception cref="FormatException">An unknown name; the message lists the known ones.</exception>
    public static Decoys Parse(string? text)
    {
        var result = Decoys.None;
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = part.ToLowerInvariant().Replace('-', '_');
            if (name == "all") result |= Decoys.All;
            else if (name == "none") continue;
            else if (Table.FirstOrDefault(t => t.Name == name) is { Name: not null } hit) result |= hit.Decoy;
            else throw new FormatException($"unknown decoy '{part}'; decoys are {string.Join(", ", All)}, all or none");
        }
        return result;
    }
}
