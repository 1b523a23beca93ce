using System.Text.RegularExpressions;
using PosMonitor.Core.Detection;

namespace PosMonitor.Core.Tests.Detection;

public class EvidencePhraseTests
{
    private static string[] Holes(EvidencePhrase p) =>
        [.. Enumerable.Range(0, Regex.Matches(p.English, @"\{\d+}").Count).Select(i => $"h{i}x")];

    [Fact]
    public void Every_phrase_reads_back_as_itself_with_its_holes()
    {
        Assert.Equal(EvidencePhrase.All.Count, EvidencePhrase.All.Select(p => p.Key).Distinct().Count());
        foreach (var phrase in EvidencePhrase.All)
        {
            var holes = Holes(phrase);
            var read = EvidencePhrase.Read(phrase.Write([.. holes]));
            Assert.True(read is not null, phrase.Key);
            Assert.Equal(phrase.Key, read.Value.Phrase.Key);
            Assert.Equal(holes, read.Value.Holes);
        }
    }

    [Fact]
    public void Detection_s_lines_read_back_with_their_figures()
    {
        var read = EvidencePhrase.Read("gateway stage failures 38% (412 of 1,078 sales, last 3 min) vs normal 0.4%");
        Assert.Equal("rate.Gateway", read!.Value.Phrase.Key);
        Assert.Equal(["38%", "412", "1,078", "3", "0.4%"], read.Value.Holes);
        var nested = EvidencePhrase.Read("quiet longer than a restart takes at its heartbeat interval (60 s), two minutes and two intervals (rollout to 3.3.1 under way (last install reported 08:02:10Z))");
        Assert.Equal("restart-outlasted", nested!.Value.Phrase.Key);
        Assert.Equal("restart.rollout", EvidencePhrase.Read(nested.Value.Holes[1])!.Value.Phrase.Key);
        Assert.Equal("rollout.from", EvidencePhrase.Read("rollout: 3.2.1 reached 120 terminals since 08:02:10Z (from 3.2.0)")!.Value.Phrase.Key);
        Assert.Null(EvidencePhrase.Read("something an agent typed"));
    }
}
