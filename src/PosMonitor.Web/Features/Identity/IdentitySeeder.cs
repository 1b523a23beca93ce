using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Features.Identity;

/// <summary>
/// The first admin from <c>PosMonitor:Bootstrap:AdminEmail/AdminPassword</c>, and in Development
/// (with <c>PosMonitor:Demo:Enabled</c>) one demo user of every role. Existing users are left as
/// they are, so a changed password survives restarts. The demo merchant owner is bound to
/// merchant "m-0001" whether or not the demo fleet exists yet (users.merchant_id has no foreign key).
/// </summary>
public sealed class IdentitySeeder(UserManager<PortalUser> users, IOptions<BootstrapOptions> bootstrap, IConfiguration configuration,
    IHostEnvironment environment, ILogger<IdentitySeeder> logger)
{
    public static IReadOnlyList<(string Email, string Password, string Role, string? MerchantId, string Name)> DemoUsers { get; } =
    [
        ("admin@demo.posmonitor", "demo-admin-pass", Roles.Admin, null, "Demo Admin"),
        ("operator@demo.posmonitor", "demo-operator-pass", Roles.Operator, null, "Demo Operator 值班员"),
        ("agent@demo.posmonitor", "demo-agent-pass", Roles.SupportAgent, null, "Demo Support Agent 客服"),
        ("owner@demo.posmonitor", "demo-owner-pass", Roles.MerchantOwner, "m-0001", "Demo Merchant Owner 商户"),
        ("owner2@demo.posmonitor", "demo-owner2-pass", Roles.MerchantOwner, "m-0002", "Second Merchant Owner"),
    ];

    public async Task SeedAsync(CancellationToken ct)
    {
        var b = bootstrap.Value;
        if (!string.IsNullOrWhiteSpace(b.AdminEmail) && !string.IsNullOrEmpty(b.AdminPassword))
            await EnsureAsync(b.AdminEmail.Trim(), b.AdminPassword, Roles.Admin, null, "Administrator");
        if (environment.IsDevelopment() && configuration.GetValue<bool>("PosMonitor:Demo:Enabled"))
            foreach (var (email, password, role, merchant, name) in DemoUsers)
                await EnsureAsync(email, password, role, merchant, name);
    }

    private async Task EnsureAsync(string email, string password, string role, string? merchantId, string name)
    {
        if (await users.FindByNameAsync(email) is not null) return;
        var result = await users.CreateAsync(new PortalUser { Email = email, DisplayName = name, Role = role, MerchantId = merchantId }, password);
        if (result.Succeeded) logger.LogInformation("Created {Role} user {Email}", role, email);
        else logger.LogError("Could not create {Role} user {Email}: {Errors}", role, email, string.Join("; ", result.Errors.Select(e => e.Description)));
    }
}
