using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Localization;
using MudBlazor;
using PosMonitor.Core.Incidents;
using Severity = PosMonitor.Core.Incidents.Severity;

namespace PosMonitor.Web.Features.Runbooks;

public partial class RunbookEditPage
{
    private const string NewId = "new";

    [Parameter] public string Id { get; set; } = "";
    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }

    [Inject] private RunbookRepository Runbooks { get; set; } = default!;
    [Inject] private IStringLocalizer<RunbookStrings> L { get; set; } = default!;
    [Inject] private NavigationManager Nav { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    private EditModel _model = EditModel.Blank();
    private int _baseVersion;
    private bool _zh, _loaded, _missing, _saving;
    private string? _changeNote;
    private IReadOnlyList<string> _problems = [];
    private List<BreadcrumbItem> _crumbs = [];

    private bool IsNew => Id == NewId;
    private string Lang => _zh ? L["Chinese"] : L["English"];
    private CultureInfo PreviewCulture => CultureInfo.GetCultureInfo(_zh ? "zh-CN" : "en");
    private IReadOnlyList<RunbookStep> PreviewSteps => _model.ToDraft().Steps;

    private string PreviewMessage
    {
        get
        {
            var draft = _model.ToDraft();
            return MerchantTemplate.Fill(draft.MerchantTemplate.For(PreviewCulture), RunbookPage.SampleValues(draft, L, PreviewCulture));
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        // Edit in the viewer's language first; the toggle switches to the other.
        _zh = CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
        if (!IsNew)
        {
            var current = await Runbooks.CurrentVersionAsync(Id);
            _missing = current is null;
            if (current is not null)
            {
                _model = EditModel.From(current.Content);
                _baseVersion = current.Version;
            }
        }
        _crumbs = [new(L["BackToList"], "/runbooks"), new(IsNew ? L["NewTitle"] : Id, IsNew ? null : $"/runbooks/{Id}")];
        _loaded = true;
    }

    private void AddStep() => _model.Steps.Add(new StepModel { Role = RunbookRoles.SupportAgent, ExpectedMinutes = 10 });

    private void AddContact() => _model.Contacts.Add(new ContactModel { Role = RunbookRoles.NocEngineer, Level = 1 });

    private void Move(int index, int by)
    {
        var target = index + by;
        if (target < 0 || target >= _model.Steps.Count) return;
        (_model.Steps[index], _model.Steps[target]) = (_model.Steps[target], _model.Steps[index]);
    }

    private async Task SaveAsync()
    {
        var draft = _model.ToDraft();
        _problems = [.. RunbookRules.Check(draft).Select(p => L[$"Problem_{p}"].Value)];
        if (_problems.Count > 0) return;
        _saving = true;
        try
        {
            var user = AuthState is null ? null : (await AuthState).User.Identity?.Name;
            var version = await Runbooks.SaveAsync(draft, IsNew ? 0 : _baseVersion, user ?? "admin", _changeNote);
            Snackbar.Add(L["Saved", version], MudBlazor.Severity.Success);
            Nav.NavigateTo($"/runbooks/{draft.Id}");
        }
        catch (RunbookConflictException e)
        {
            _problems = [IsNew ? L["Exists"] : L["Conflict", e.Current]];
        }
        finally
        {
            _saving = false;
        }
    }

    /// <summary>A text in both languages, edited one language at a time.</summary>
    internal sealed class TextModel
    {
        public string En { get; set; } = "";
        public string Zh { get; set; } = "";
        public string Get(bool zh) => zh ? Zh : En;
        public void Set(bool zh, string? value)
        {
            if (zh) Zh = value ?? "";
            else En = value ?? "";
        }
        public LocalizedText ToText() => new(En.Trim(), Zh.Trim());
        public static TextModel From(LocalizedText t) => new() { En = t.En, Zh = t.Zh };
    }

    internal sealed class StepModel
    {
        public TextModel Title { get; init; } = new();
        public TextModel Instructions { get; init; } = new();
        public string Role { get; set; } = RunbookRoles.SupportAgent;
        public int ExpectedMinutes { get; set; }

        /// <summary>
        /// "Zh" when the step is written (in part) in English only, "En" for Chinese only, else null: saving is still
        /// allowed, but the author is told that readers of the other language get this text marked as untranslated.
        /// </summary>
        public string? MissingLanguage()
        {
            var step = new RunbookStep(Title.ToText(), Instructions.ToText(), Role, ExpectedMinutes);
            return step.FallsBackFor(CultureInfo.GetCultureInfo("zh-CN")) ? "Zh" : step.FallsBackFor(CultureInfo.GetCultureInfo("en")) ? "En" : null;
        }
    }

    internal sealed class ContactModel
    {
        public string Name { get; set; } = "";
        public string Role { get; set; } = RunbookRoles.NocEngineer;
        public ContactChannel Channel { get; set; }
        public string Address { get; set; } = "";
        public int Level { get; set; } = 1;
    }

    /// <summary>The editor's mutable copy of a draft.</summary>
    internal sealed class EditModel
    {
        public string Id { get; set; } = "rb-";
        public Cause Cause { get; set; }
        public Severity Severity { get; set; } = Severity.Major;
        public TextModel Title { get; init; } = new();
        public List<StepModel> Steps { get; init; } = [];
        public List<ContactModel> Contacts { get; init; } = [];
        public TextModel Template { get; init; } = new();
        public TextModel Workaround { get; init; } = new();

        public static EditModel Blank() => new();

        public static EditModel From(RunbookDraft d) => new()
        {
            Id = d.Id, Cause = d.Cause, Severity = d.Severity, Title = TextModel.From(d.Title),
            Steps = [.. d.Steps.Select(s => new StepModel
            {
                Title = TextModel.From(s.Title), Instructions = TextModel.From(s.Instructions), Role = s.Role, ExpectedMinutes = s.ExpectedMinutes,
            })],
            Contacts = [.. d.Contacts.Select(c => new ContactModel { Name = c.Name, Role = c.Role, Channel = c.Channel, Address = c.Address, Level = c.Level })],
            Template = TextModel.From(d.MerchantTemplate), Workaround = TextModel.From(d.Workaround),
        };

        public RunbookDraft ToDraft() => new()
        {
            Id = Id.Trim(), Cause = Cause, Severity = Severity, Title = Title.ToText(),
            Steps = [.. Steps.Select(s => new RunbookStep(s.Title.ToText(), s.Instructions.ToText(), s.Role, s.ExpectedMinutes))],
            Contacts = [.. Contacts.Select(c => new EscalationContact(c.Name.Trim(), c.Role, c.Channel, c.Address.Trim(), c.Level))],
            MerchantTemplate = Template.ToText(), Workaround = Workaround.ToText(),
        };
    }
}
