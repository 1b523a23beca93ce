using PosMonitor.Web.Features.Runbooks;

namespace PosMonitor.Web.Tests.Runbooks;

public class RunbookMarkdownTests
{
    private readonly RunbookMarkdown _markdown = new();

    /// <summary>Hostile markdown and HTML: none of it may leave anything executable behind.</summary>
    public static TheoryData<string> Payloads() =>
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<img src=x onerror=alert(1)>",
        "<img src=\"x\" ONERROR=\"alert(1)\">",
        "<a href=\"javascript:alert(1)\">click</a>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
        "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<div style=\"width: expression(alert(1))\">x</div>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<svg onload=alert(1)><circle r=10 /></svg>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        "<body onload=alert(1)>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<embed src=\"javascript:alert(1)\">",
        "<form action=\"javascript:alert(1)\"><button>go</button></form>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<link rel=stylesheet href=\"https://evil.example/x.css\">",
        "<style>@import 'https://evil.example/x.css';</style>",
        "<p onmouseover=\"alert(1)\">hover</p>",
        "<details open ontoggle=alert(1)>",
        "<base href=\"javascript:alert(1)//\">",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<input type=\"image\" src=x onerror=alert(1)>",
    ];

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Hostile_markdown_renders_without_anything_executable(string payload)
    {
        var html = _markdown.ToHtml($"Step text\n\n{payload}\n\nmore text");
        var lower = html.ToLowerInvariant();

        Assert.DoesNotContain("<script", lower);
        Assert.DoesNotContain("<iframe", lower);
        Assert.DoesNotContain("<svg", lower);
        Assert.DoesNotContain("<object", lower);
        Assert.DoesNotContain("<embed", lower);
        Assert.DoesNotContain("<form", lower);
        Assert.DoesNotContain("<meta", lower);
        Assert.DoesNotContain("<link", lower);
        Assert.DoesNotContain("<style", lower);
        Assert.DoesNotContain("<base", lower);
        Assert.DoesNotContain("<img", lower);
        Assert.DoesNotContain("style=", lower);
        Assert.DoesNotContain("srcdoc", lower);
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", lower);
        Assert.DoesNotContain("javascript:", lower);
        Assert.DoesNotContain("vbscript:", lower);
        Assert.DoesNotContain("href=\"data:", lower);
        Assert.DoesNotContain("src=\"data:", lower);
        Assert.Contains("step text", lower);
    }

    [Fact]
    public void Ordinary_markdown_keeps_its_formatting_and_safe_links()
    {
        var html = _markdown.ToHtml("""
            **Call** the store, then run `mtr -rwc 50 host`:
            1. one
            2. two

            [status page](https://status.example.com) or <mailto:noc@example.com>

            | a | b |
            |---|---|
            | 1 | 2 |
            """);

        Assert.Contains("<strong>Call</strong>", html);
        Assert.Contains("<code>mtr -rwc 50 host</code>", html);
        Assert.Contains("<ol>", html);
        Assert.Contains("href=\"https://status.example.com\"", html);
        Assert.Contains("rel=\"noopener noreferrer nofollow\"", html);
        Assert.Contains("<table>", html);
    }

    [Fact]
    public void Nothing_renders_for_blank_text() => Assert.Equal("", _markdown.ToHtml("  \n"));
}
