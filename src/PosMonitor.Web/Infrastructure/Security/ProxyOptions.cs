using System.ComponentModel.DataAnnotations;
using System.Net;
using IPNetwork = System.Net.IPNetwork;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Infrastructure.Security;

/// <summary>
/// Settings under <c>PosMonitor:Proxy</c>: the reverse proxies (TLS terminators, load balancers)
/// whose X-Forwarded-For and X-Forwarded-Proto are believed. Behind them the portal sees the
/// client's address (audit log, sign-in rate limit) and https (Secure cookies, HSTS); a header from
/// any other address is ignored, so a client cannot pick the address it is audited under.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "PosMonitor:Proxy";

    /// <summary>Proxy addresses (IPv4 or IPv6). With neither list set, only a proxy on this machine (loopback) is believed.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation (10.0.0.0/8, fd00::/8).</summary>
    public string[] KnownNetworks { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        foreach (var (value, i) in KnownProxies.Select((v, i) => (v, i)))
            if (!IPAddress.TryParse(value, out _))
                yield return new ValidationResult($"{Section}:KnownProxies:{i} is \"{value}\", not an IP address (e.g. 10.0.0.5 or fd00::5)");
        foreach (var (value, i) in KnownNetworks.Select((v, i) => (v, i)))
            if (!IPNetwork.TryParse(value, out _))
                yield return new ValidationResult($"{Section}:KnownNetworks:{i} is \"{value}\", not a network in CIDR notation (e.g. 10.0.0.0/8)");
    }
}

public static class ForwardedHeadersExtensions
{
    public static IHostApplicationBuilder AddForwardedHeaders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ProxyOptions>(ProxyOptions.Section);
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((o, proxy) =>
        {
            // Not X-Forwarded-Host: with AllowedHosts "*" it would let a client name the host links are made for.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Every hop that is a known proxy is stepped over, and only those (a chain: load balancer, then TLS terminator).
            o.ForwardLimit = null;
            var p = proxy.Value;
            if (p.KnownProxies.Length + p.KnownNetworks.Length == 0) return; // ASP.NET's default: loopback only
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var address in p.KnownProxies) o.KnownProxies.Add(IPAddress.Parse(address));
            foreach (var network in p.KnownNetworks) o.KnownIPNetworks.Add(IPNetwork.Parse(network));
        });
        // A year, as browsers' preload lists ask; sent only on https requests outside Development (UseHsts).
        builder.Services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        return builder;
    }
}
