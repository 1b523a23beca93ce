using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Fleet;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>What of a parsed request may be queued, what is refused and why, and how many events repeat one earlier in the request.</summary>
public sealed record CheckedTelemetry(List<Heartbeat> Heartbeats, List<Transaction> Transactions, List<RejectionBody> Rejected, int Duplicates);

/// <summary>
/// The checks of a telemetry request the parser cannot make, against the fleet in memory: the terminal is registered,
/// belongs to this key's merchant (an <c>ingest:merchant</c> key), and a sale's gateway exists (none named: the terminal's own).
/// </summary>
public sealed class TelemetryFleetCheck(FleetCache fleet)
{
    /// <param name="ownMerchant">The merchant an <c>ingest:merchant</c> key is bound to; null for a key that may send for every merchant.</param>
    public CheckedTelemetry Check(TelemetryBatch parsed, string? ownMerchant)
    {
        var current = fleet.Current;
        var result = new CheckedTelemetry(new(parsed.Heartbeats.Count), new(parsed.Transactions.Count), [], 0);
        // Within-batch duplicates: ids are unique per kind, so one set per kind.
        var seenHeartbeats = new HashSet<string>(StringComparer.Ordinal);
        var seenTransactions = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;

        for (var i = 0; i < parsed.Heartbeats.Count; i++)
        {
            var e = Check(parsed.Heartbeats[i], EventKind.Heartbeat, i, current, ownMerchant);
            if (e is Rejection r) result.Rejected.Add(Body(r));
            else if (e is Heartbeat hb && !seenHeartbeats.Add(hb.EventId)) duplicates++;
            else if (e is Heartbeat ok) result.Heartbeats.Add(ok);
        }
        for (var i = 0; i < parsed.Transactions.Count; i++)
        {
            var e = Check(parsed.Transactions[i], EventKind.Transaction, i, current, ownMerchant);
            if (e is Rejection r) result.Rejected.Add(Body(r));
            else if (e is Transaction tx && !seenTransactions.Add(tx.EventId)) duplicates++;
            else if (e is Transaction ok) result.Transactions.Add(ok);
        }
        return result with { Duplicates = duplicates };
    }

    private static object Check(object parsed, EventKind kind, int index, Core.Fleet.Fleet fleet, string? ownMerchant)
    {
        if (parsed is Rejection) return parsed;
        var (eventId, terminalId) = parsed switch
        {
            Heartbeat h => (h.EventId, h.TerminalId),
            Transaction t => (t.EventId, t.TerminalId),
            _ => throw new InvalidOperationException(),
        };
        var label = kind == EventKind.Heartbeat ? "heartbeat" : "transaction";
        if (!fleet.Terminals.TryGetValue(terminalId, out var terminal))
            return new Rejection(kind, index, eventId, RejectionCodes.UnknownTerminal, $"terminal {terminalId} is not registered");
        if (ownMerchant is not null && terminal.MerchantId != ownMerchant)
            return new Rejection(kind, index, eventId, RejectionCodes.OutOfScope,
                $"{label} {index}: terminal {terminalId} belongs to another merchant than this key's");
        if (parsed is Transaction tx)
        {
            if (tx.Gateway is null) return tx with { Gateway = terminal.GatewayId };
            if (!fleet.Gateways.ContainsKey(tx.Gateway))
                return new Rejection(kind, index, eventId, RejectionCodes.InvalidField, $"{label} {index}: field 'gateway' names unknown gateway {tx.Gateway}");
        }
        return parsed;
    }

    private static RejectionBody Body(Rejection r) => new(r.KindName, r.Index, r.EventId, r.Code, r.Message);
}
