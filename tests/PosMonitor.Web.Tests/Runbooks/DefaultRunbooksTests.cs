using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Runbooks;

namespace PosMonitor.Web.Tests.Runbooks;

public class DefaultRunbooksTests
{
    [Fact]
    public void Every_cause_has_its_default_runbook_with_the_cause_s_id() =>
        Assert.Equal(Causes.All.Select(Causes.DefaultRunbookId).Order(), DefaultRunbooks.All.Select(r => r.Id).Order());

    [Fact]
    public void Each_default_runbook_is_valid_and_written_in_both_languages()
    {
        foreach (var r in DefaultRunbooks.All)
        {
            Assert.Empty(RunbookRules.Check(r));
            Assert.Equal(r.Id, Causes.DefaultRunbookId(r.Cause));
            Assert.True(r.Steps.Count >= 4, r.Id);
            Assert.All(r.Steps, s =>
            {
                Assert.False(string.IsNullOrWhiteSpace(s.Instructions.En), $"{r.Id}: {s.Title.En}");
                Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", s.Instructions.Zh);
                Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", s.Title.Zh);
                Assert.Contains(s.Role, RunbookRoles.All);
                Assert.InRange(s.ExpectedMinutes, 1, 120);
            });
            Assert.Contains(r.Contacts, c => c.Level == 1);
            Assert.Contains(r.Contacts, c => c.Level == 2);
            Assert.Contains(r.Contacts, c => c.Level == 3);
            Assert.Empty(MerchantTemplate.Unknown(r.MerchantTemplate.En));
            Assert.Empty(MerchantTemplate.Unknown(r.MerchantTemplate.Zh));
            Assert.Contains("{workaround}", r.MerchantTemplate.Zh);
            Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", r.Workaround.Zh);
        }
    }
}
