using System.Net;
using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Infrastructure.Observability;

/// <summary>Settings under <c>PosMonitor:Metrics</c>: who may scrape <c>/metrics</c> without a key.</summary>
public sealed class MetricsOptions
{
    public const string Section = "PosMonitor:Metrics";

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.0.0.0/8</c>, <c>127.0.0.1/32</c>) whose requests may scrape without a <c>metrics</c> key.
    /// Empty by default, loopback included: behind a reverse proxy on the same host every request comes from loopback.
    /// </summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>Whether a request from <paramref name="address"/> may scrape without a key.</summary>
    public bool Allows(IPAddress? address)
    {
        if (address is null || AllowedNetworks.Length == 0) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in AllowedNetworks)
            if (IPNetwork.TryParse(network, out var parsed) && parsed.Contains(address)) return true;
        return false;
    }

    /// <summary>A network that does not parse stops start-up with its entry named, instead of silently allowing nothing.</summary>
    internal sealed class Validator : IValidateOptions<MetricsOptions>
    {
        public ValidateOptionsResult Validate(string? name, MetricsOptions options)
        {
            var bad = options.AllowedNetworks.Where(n => !IPNetwork.TryParse(n, out _)).ToList();
            return bad.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"{Section}:AllowedNetworks: {string.Join(", ", bad.Select(b => $"'{b}'"))} is not a network in CIDR notation (such as 10.0.0.0/8 or 127.0.0.1/32)");
        }
    }
}
