using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Feedback;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Tests.Feedback;
using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>the admin and support forms' free text is stored with card numbers masked.</summary>
public sealed class AdminFormsCardDataTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("maintenance reason")]
    [InlineData("user display name")]
    [InlineData("key name on the admin page")]
    [InlineData("feedback linked incident")]
    public async Task What_an_admin_or_agent_types_is_stored_masked(string place)
    {
        await factory.SeedAsync();
        using var scope = factory.Services.CreateScope();
        var services = scope.ServiceProvider;
        var admin = SignInTests.AdminPrincipal();
        const string Card = "4111.1111.1111.1111";
        switch (place)
        {
            case "maintenance reason":
                var (_, problems) = await services.GetRequiredService<MaintenanceAdministration>().AddAsync(admin, new MaintenanceForm
                {
                    ScopeType = Core.Incidents.ScopeType.Merchant, ScopeId = "m-0001", Kind = Core.Detection.MaintenanceRecurrence.Daily,
                    LocalStart = "02:00", DurationMinutes = 60, Reason = $"card {Card} reader swap",
                }, CancellationToken.None);
                Assert.Empty(problems);
                break;
            case "user display name":
                Assert.Empty(await services.GetRequiredService<UserAdministration>().CreateAsync(admin,
                    new NewUser("card@test.local", $"Card {Card}", Roles.Operator, null, PortalFactory.Password), CancellationToken.None));
                break;
            case "key name on the admin page":
                await services.GetRequiredService<ApiKeyRepository>().CreateAsync($"till {Card}", Scopes.ReadPlatform, null, "admin", CancellationToken.None);
                break;
            case "feedback linked incident":
                var id = await factory.SubmitFeedbackAsync(PortalFactory.Owner1, "Payments fail since noon.");
                var agent = await factory.PrincipalAsync(PortalFactory.Agent);
                Assert.True(await services.GetRequiredService<FeedbackService>().LinkIncidentAsync(agent, id, Card, CancellationToken.None));
                break;
        }

        await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.DatabasePath}");
        Assert.Empty(await StoredCardData.FindAsync(c));
    }
}
