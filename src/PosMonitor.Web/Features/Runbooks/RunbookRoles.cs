namespace PosMonitor.Web.Features.Runbooks;

/// <summary>
/// Who carries out a step or is called at escalation. Keys are stored; labels come from
/// RunbookStrings (Role_&lt;key&gt;) so both languages read naturally.
/// </summary>
public static class RunbookRoles
{
    public const string SupportAgent = "support_agent";
    public const string NocEngineer = "noc_engineer";
    public const string PlatformOnCall = "platform_oncall";
    public const string GatewayLiaison = "gateway_liaison";
    public const string ReleaseManager = "release_manager";
    public const string FieldTechnician = "field_technician";
    public const string MerchantSuccess = "merchant_success";
    public const string DutyManager = "duty_manager";
    public const string Vendor = "vendor";

    public static IReadOnlyList<string> All { get; } =
        [SupportAgent, NocEngineer, PlatformOnCall, GatewayLiaison, ReleaseManager, FieldTechnician, MerchantSuccess, DutyManager, Vendor];
}
