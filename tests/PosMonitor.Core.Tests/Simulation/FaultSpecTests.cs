using PosMonitor.Core.Incidents;
using PosMonitor.Core.Simulation;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Simulation;

public class FaultSpecTests
{
    [Fact]
    public void Gateway_fault_takes_a_bare_gateway_id_intensity_and_duration()
    {
        var spec = FaultSpec.Parse("gateway:gw-unionpay:40%:15m");

        Assert.Equal(Cause.Gateway, spec.Cause);
        Assert.Equal(ScopeType.Gateway, spec.ScopeType);
        Assert.Equal(["gw-unionpay"], spec.ScopeIds);
        Assert.Equal(0.4, spec.EffectiveIntensity, 6);
        Assert.Equal(TimeSpan.FromMinutes(15), spec.EffectiveDuration);
        Assert.Null(spec.StartOffset);
    }

    [Fact]
    public void Network_fault_by_region_with_loss_latency_start_and_link_type()
    {
        var spec = FaultSpec.Parse("network:region=east:loss=30%:latency=800ms:20m:at=1h30m:via=cellular");

        Assert.Equal(ScopeType.Region, spec.ScopeType);
        Assert.Equal(["east"], spec.ScopeIds);
        Assert.Equal(30, spec.LossPct);
        Assert.Equal(TimeSpan.FromMilliseconds(800), spec.ExtraLatency);
        Assert.Equal(TimeSpan.FromMinutes(90), spec.StartOffset);
        Assert.Equal(NetworkType.Cellular, spec.Via);
        Assert.Equal(0.3, spec.EffectiveIntensity, 6);
    }

    [Fact]
    public void Network_offline_of_one_merchant_cuts_every_sale()
    {
        var spec = FaultSpec.Parse("network:merchant=m-0042:offline:for=10m");

        Assert.Equal(ScopeType.Merchant, spec.ScopeType);
        Assert.True(spec.Offline);
        Assert.Equal(1.0, spec.EffectiveIntensity);
        Assert.Equal(TimeSpan.FromMinutes(10), spec.Duration);
    }

    [Fact]
    public void Server_fault_is_platform_wide_with_or_without_the_word()
    {
        var bare = FaultSpec.Parse("server:25%:10m");
        var named = FaultSpec.Parse("server:platform:25%:10m:latency=6s");

        Assert.Equal(ScopeType.Platform, bare.ScopeType);
        Assert.Equal(["platform"], bare.ScopeIds);
        Assert.Equal(ScopeType.Platform, named.ScopeType);
        Assert.Equal(TimeSpan.FromSeconds(6), named.ExtraLatency);
    }

    [Fact]
    public void Software_fault_on_a_firmware_with_a_rollout()
    {
        var spec = FaultSpec.Parse("software:firmware=3.3.0:rollout=30m:share=40%:20%:at=2h");

        Assert.Equal(ScopeType.Firmware, spec.ScopeType);
        Assert.Equal(["3.3.0"], spec.ScopeIds);
        Assert.Equal(TimeSpan.FromMinutes(30), spec.Rollout);
        Assert.Equal(0.4, spec.RolloutShare!.Value, 6);
        Assert.Equal(0.2, spec.EffectiveIntensity, 6);
        Assert.Equal(TimeSpan.FromHours(1), spec.EffectiveDuration);
    }

    [Theory]
    [InlineData("hardware:T-000123:paper_out", DeviceFault.PaperOut)]
    [InlineData("hardware:terminal=T-000123", DeviceFault.PrinterJam)]
    [InlineData("hardware:terminal=T-000123:scanner", DeviceFault.Scanner)]
    [InlineData("hardware:terminals=T-000123,T-000124:cpu", DeviceFault.Cpu)]
    public void Hardware_fault_names_terminals_and_a_device(string text, DeviceFault device)
    {
        var spec = FaultSpec.Parse(text);

        Assert.Equal(ScopeType.Terminal, spec.ScopeType);
        Assert.Equal("T-000123", spec.ScopeIds[0]);
        Assert.Equal(device, spec.Device);
    }

    [Fact]
    public void Third_party_by_platform_or_region_and_operator_by_merchant_or_terminal()
    {
        Assert.Equal(ScopeType.Platform, FaultSpec.Parse("third_party:50%").ScopeType);
        Assert.Equal(ScopeType.Region, FaultSpec.Parse("third_party:region=south:50%:30m").ScopeType);
        Assert.Equal(ScopeType.Region, FaultSpec.Parse("third_party:south").ScopeType);
        Assert.Equal(ScopeType.Merchant, FaultSpec.Parse("operator:merchant=m-0001:35%:2h").ScopeType);
        Assert.Equal(ScopeType.Terminal, FaultSpec.Parse("operator:terminal=T-000001").ScopeType);
    }

    [Fact]
    public void Random_scopes_and_absolute_start()
    {
        var random = FaultSpec.Parse("hardware:terminal=random*3:jam");
        var at = FaultSpec.Parse("gateway:random:at=2026-11-25T08:15:00Z");

        Assert.Equal(3, random.RandomCount);
        Assert.Empty(random.ScopeIds);
        Assert.Equal(1, at.RandomCount);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 8, 15, 0, TimeSpan.Zero), at.StartAt);
    }

    [Fact]
    public void A_quiet_pick_is_one_shop_where_an_operator_fault_fails_a_handful_of_sales()
    {
        var quiet = FaultSpec.Parse("operator:merchant=quiet:30%:45m");

        Assert.Equal((1, true, ScopeType.Merchant), (quiet.RandomCount, quiet.Quiet, quiet.ScopeType));
        Assert.False(FaultSpec.Parse("operator:merchant=random:30%").Quiet);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("weather:platform", "unknown cause 'weather'")]
    [InlineData("gateway:region=east:40%", "concentrates on one gateway")]
    [InlineData("network:east:30%", "say which")]
    [InlineData("network:platform:30%", "not on a platform")]
    [InlineData("hardware:paper_out", "needs a scope first")]
    [InlineData("gateway:gw-unionpay:140%", "'140%' is not a percentage")]
    [InlineData("gateway:gw-unionpay:15x", "'15x' is not a parameter of a gateway fault")]
    [InlineData("gateway:gw-unionpay:for=soon", "'soon' is not a duration")]
    [InlineData("gateway:gw-unionpay:40%:50%", "intensity (N%) twice")]
    [InlineData("gateway:gw-unionpay:loss=20%", "not a parameter of a gateway fault")]
    [InlineData("network:region=east:offline:loss=20%", "exclude each other")]
    [InlineData("network:region=east:offline:30%", "no intensity")]
    [InlineData("software:firmware=3.3.0:share=40%", "share= needs rollout=")]
    [InlineData("gateway:gw unionpay", "not a valid gateway id")]
    [InlineData("gateway:gw-a,gw-b", "one gateway per fault")]
    [InlineData("gateway:gw-unionpay:at=tomorrow", "neither an offset")]
    [InlineData("hardware:terminal=random*0", "random or random*N")]
    [InlineData("gateway:gateway=quiet:40%", "quiet picks a shop or till for an operator fault")]
    [InlineData("network:region=east:via=carrier-pigeon", "not a link type")]
    [InlineData("gateway:gw-unionpay:0m", "longer than zero")]
    public void Bad_specs_are_refused_with_a_clear_reason(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => FaultSpec.Parse(text));

        Assert.Contains(reason, e.Message);
        Assert.StartsWith($"fault '{text}'", e.Message);
        Assert.False(FaultSpec.TryParse(text, out _, out var error));
        Assert.Equal(e.Message, error);
    }

    [Fact]
    public void Every_cause_has_a_scope_where_it_concentrates()
    {
        foreach (var cause in Causes.All)
            Assert.NotEmpty(FaultSpec.AllowedScopes(cause));
        Assert.Equal([ScopeType.Gateway], FaultSpec.AllowedScopes(Cause.Gateway));
        Assert.Equal([ScopeType.Firmware], FaultSpec.AllowedScopes(Cause.Software));
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("1h30m", 5400)]
    [InlineData("2h", 7200)]
    public void Durations_read_hours_minutes_and_seconds(string text, int seconds)
    {
        Assert.True(FaultSpec.TryDuration(text, out var d));
        Assert.Equal(TimeSpan.FromSeconds(seconds), d);
    }

    [Fact]
    public void Decoy_names_parse_and_unknown_ones_are_refused()
    {
        Assert.Equal(Decoys.Blip | Decoys.HotStores, DecoyNames.Parse("blip, hot_stores"));
        Assert.Equal(Decoys.All, DecoyNames.Parse("all"));
        Assert.Equal(Decoys.None, DecoyNames.Parse("none"));
        Assert.Contains("unknown decoy 'ghost'", Assert.Throws<FormatException>(() => DecoyNames.Parse("ghost")).Message);
    }
}
