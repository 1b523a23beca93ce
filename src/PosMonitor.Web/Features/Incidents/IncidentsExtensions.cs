using PosMonitor.Web.Infrastructure;
using PosMonitor.Web.Infrastructure.Scheduling;

namespace PosMonitor.Web.Features.Incidents;

public static class IncidentsExtensions
{
    public static IHostApplicationBuilder AddIncidents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IncidentFeed>();
        builder.Services.AddSingleton<IncidentTitleText>();
        builder.Services.AddSingleton<EvidenceText>();
        builder.Services.AddSingleton<IncidentRepository>();
        builder.Services.AddSingleton<IIncidentReader>(sp => sp.GetRequiredService<IncidentRepository>());
        builder.Services.AddSingleton<OpenIncidents>();
        builder.Services.AddHostedService<OpenIncidentsStartup>();
        return builder;
    }

    /// <summary>Support's side (tickets, checklists, escalation, merchant notices); after runbooks and notifications.</summary>
    public static IHostApplicationBuilder AddIncidentTickets(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SlaOptions.Section);
        builder.Services.AddValidatedOptions<SlaOptions>(SlaOptions.Section);
        builder.Services.AddSingleton<TicketRepository>();
        builder.Services.AddSingleton<MerchantNoticeRepository>();
        builder.Services.AddSingleton<MerchantMessages>();
        builder.Services.AddSingleton<IncidentQueries>();
        builder.Services.AddSingleton<IncidentActions>();
        builder.Services.AddSingleton<IncidentTickets>();
        builder.Services.AddSingleton<IncidentEscalation>();
        builder.Services.AddHostedService<IncidentTicketsFeeder>();
        var check = section.GetValue(nameof(SlaOptions.EscalationCheckSeconds), new SlaOptions().EscalationCheckSeconds);
        // Read here because the schedule is registered now; a value out of 5–3600 s stops the start (SlaOptions), the Max only keeps the schedule valid until then.
        builder.Services.AddJob<EscalateUnacknowledgedIncidentsJob>(TimeSpan.FromSeconds(Math.Max(5, check)));
        return builder;
    }
}
