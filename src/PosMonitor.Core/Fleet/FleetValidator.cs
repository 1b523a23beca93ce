using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Fleet;

/// <summary>
/// Whole-document validation of a fleet upsert: every problem is listed, and the document is
/// rejected whole when there is any (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md, "Fleet").
/// </summary>
public static class FleetValidator
{
    /// <param name="knownRegion">Whether a region id already exists in the store.</param>
    /// <param name="knownGateway">Whether a gateway id already exists in the store.</param>
    public static IReadOnlyList<string> Validate(FleetDocument document, Func<string, bool> knownRegion, Func<string, bool> knownGateway)
    {
        // Card data first, alone: the other messages quote values, and a card number must not be echoed or logged.
        var cardData = CardDataFields(document);
        if (cardData.Count > 0) return [.. cardData.Select(f => $"{f}: {CardDataProblem}")];
        var problems = new List<string>();
        var regions = new HashSet<string>(StringComparer.Ordinal);
        var gateways = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (region, i) in (document.Regions ?? []).Select((r, i) => (r, i)))
        {
            var where = $"regions[{i}]";
            if (!CheckId(region?.Id, where, problems)) continue;
            if (!regions.Add(region!.Id!)) problems.Add($"{where}: region '{region.Id}' appears more than once");
            CheckText(region.Name, $"{where}.name", 200, problems);
        }
        foreach (var (gateway, i) in (document.Gateways ?? []).Select((g, i) => (g, i)))
        {
            var where = $"gateways[{i}]";
            if (!CheckId(gateway?.Id, where, problems)) continue;
            if (!gateways.Add(gateway!.Id!)) problems.Add($"{where}: gateway '{gateway.Id}' appears more than once");
            CheckText(gateway.Name, $"{where}.name", 200, problems);
        }

        bool RegionExists(string id) => regions.Contains(id) || knownRegion(id);
        bool GatewayExists(string id) => gateways.Contains(id) || knownGateway(id);

        var merchantSeen = new Dictionary<string, string>(StringComparer.Ordinal);
        var terminalParent = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (merchant, i) in (document.Merchants ?? []).Select((m, i) => (m, i)))
        {
            var where = $"merchants[{i}]";
            if (merchant is null) { problems.Add($"{where}: is null"); continue; }
            var idOk = CheckId(merchant.Id, where, problems);
            if (idOk && merchantSeen.TryGetValue(merchant.Id!, out var firstRegion) && firstRegion != merchant.Region)
                problems.Add($"{where}: merchant '{merchant.Id}' is repeated with a different region ('{firstRegion}' and '{merchant.Region}')");
            else if (idOk) merchantSeen.TryAdd(merchant.Id!, merchant.Region ?? "");
            CheckText(merchant.Name, $"{where}.name", 200, problems);

            if (string.IsNullOrEmpty(merchant.Region)) problems.Add($"{where}.region: is required");
            else if (!RegionExists(merchant.Region)) problems.Add($"{where}.region: unknown region '{merchant.Region}'");
            if (!string.IsNullOrEmpty(merchant.TimeZone) && !TimeZones.TryFind(merchant.TimeZone, out _))
                problems.Add($"{where}.timeZone: '{merchant.TimeZone}' is not an IANA time zone");
            if (!string.IsNullOrEmpty(merchant.OpeningHours) && !OpeningHours.TryParse(merchant.OpeningHours, out _))
                problems.Add($"{where}.openingHours: '{merchant.OpeningHours}' is not HH:MM-HH:MM");

            foreach (var (terminal, j) in (merchant.Terminals ?? []).Select((t, j) => (t, j)))
            {
                var tw = $"{where}.terminals[{j}]";
                if (terminal is null) { problems.Add($"{tw}: is null"); continue; }
                if (CheckId(terminal.Id, tw, problems) && idOk)
                {
                    if (terminalParent.TryGetValue(terminal.Id!, out var parent) && parent != merchant.Id)
                        problems.Add($"{tw}: terminal '{terminal.Id}' is listed under merchants '{parent}' and '{merchant.Id}'");
                    else terminalParent.TryAdd(terminal.Id!, merchant.Id!);
                }
                if (!string.IsNullOrEmpty(terminal.Region) && !RegionExists(terminal.Region))
                    problems.Add($"{tw}.region: unknown region '{terminal.Region}'");
                if (string.IsNullOrEmpty(terminal.Gateway)) problems.Add($"{tw}.gateway: is required");
                else if (!GatewayExists(terminal.Gateway)) problems.Add($"{tw}.gateway: unknown gateway '{terminal.Gateway}'");
                CheckText(terminal.Model, $"{tw}.model", 64, problems);
                CheckText(terminal.Firmware, $"{tw}.firmware", 32, problems);
                CheckText(terminal.Store, $"{tw}.store", 200, problems);
            }
        }
        if (document.Regions is null && document.Gateways is null && document.Merchants is null)
            problems.Add("document: names no regions, gateways or merchants");
        return problems;
    }

    public const string CardDataProblem = "holds card data (a PAN or track data)";

    /// <summary>
    /// The fields of the document that hold card data (<see cref="CardData"/>), as <c>merchants[0].terminals[1].store</c>.
    /// Ids are read as identifiers (<see cref="CardData.ContainsInIdentifier"/>): a UUID's digit groups are no card.
    /// </summary>
    public static IReadOnlyList<string> CardDataFields(FleetDocument document)
    {
        var fields = new List<string>();
        void Id(string? id, string where)
        {
            if (id is not null && CardData.ContainsInIdentifier(id)) fields.Add(where);
        }
        void Text(string? text, string where)
        {
            if (text is not null && CardData.Contains(text)) fields.Add(where);
        }
        foreach (var (region, i) in (document.Regions ?? []).Select((r, i) => (r, i)))
        {
            Id(region?.Id, $"regions[{i}].id");
            Text(region?.Name, $"regions[{i}].name");
        }
        foreach (var (gateway, i) in (document.Gateways ?? []).Select((g, i) => (g, i)))
        {
            Id(gateway?.Id, $"gateways[{i}].id");
            Text(gateway?.Name, $"gateways[{i}].name");
        }
        foreach (var (merchant, i) in (document.Merchants ?? []).Select((m, i) => (m, i)))
        {
            var where = $"merchants[{i}]";
            Id(merchant?.Id, $"{where}.id");
            Text(merchant?.Name, $"{where}.name");
            Id(merchant?.Region, $"{where}.region");
            Text(merchant?.TimeZone, $"{where}.timeZone");
            Text(merchant?.OpeningHours, $"{where}.openingHours");
            foreach (var (terminal, j) in (merchant?.Terminals ?? []).Select((t, j) => (t, j)))
            {
                var tw = $"{where}.terminals[{j}]";
                Id(terminal?.Id, $"{tw}.id");
                Id(terminal?.Region, $"{tw}.region");
                Id(terminal?.Gateway, $"{tw}.gateway");
                Text(terminal?.Model, $"{tw}.model");
                Text(terminal?.Firmware, $"{tw}.firmware");
                Text(terminal?.Store, $"{tw}.store");
            }
        }
        return fields;
    }

    private static bool CheckId(string? id, string where, List<string> problems)
    {
        if (string.IsNullOrEmpty(id)) { problems.Add($"{where}.id: is required"); return false; }
        if (!Identifier.IsValid(id)) { problems.Add($"{where}.id: '{Truncate(id)}' must be 1-64 characters from [A-Za-z0-9._:-]"); return false; }
        return true;
    }

    private static void CheckText(string? text, string where, int max, List<string> problems)
    {
        if (text is not null && text.Length > max) problems.Add($"{where}: longer than {max} characters");
    }

    private static string Truncate(string s) => s.Length <= 70 ? s : s[..70] + "…";
}
