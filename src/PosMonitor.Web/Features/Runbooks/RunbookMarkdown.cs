using Ganss.Xss;
using Markdig;

namespace PosMonitor.Web.Features.Runbooks;

/// <summary>
/// Renders runbook markdown to HTML that is safe to show as markup: Markdig renders (raw HTML in the
/// markdown included, so editors may use &lt;kbd&gt; or a table), then HtmlSanitizer keeps only an
/// allow-list of tags and attributes and http(s)/mailto/tel links. Scripts, event handlers,
/// <c>javascript:</c> and <c>data:</c> URLs, frames, SVG and inline styles never survive.
/// </summary>
public sealed class RunbookMarkdown
{
    private static readonly string[] Tags =
    [
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del", "s", "code", "pre", "kbd",
        "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "input", "span", "div", "sup", "sub",
    ];

    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables().UseTaskLists().UseAutoLinks().UseEmphasisExtras().Build();

    private readonly HtmlSanitizer _sanitizer;

    public RunbookMarkdown()
    {
        _sanitizer = new HtmlSanitizer(new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(Tags, StringComparer.OrdinalIgnoreCase),
            AllowedAttributes = new HashSet<string>(["href", "title", "align", "type", "checked", "disabled", "colspan", "rowspan", "start"], StringComparer.OrdinalIgnoreCase),
            AllowedSchemes = new HashSet<string>(["http", "https", "mailto", "tel"], StringComparer.OrdinalIgnoreCase),
            UriAttributes = new HashSet<string>(["href"], StringComparer.OrdinalIgnoreCase),
            // No style attribute at all: CSS expressions and url() have no way in.
            AllowedCssProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        });
        _sanitizer.PostProcessNode += (_, e) =>
        {
            // Links leave the portal in a new tab without handing it window.opener or the referrer.
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } a)
            {
                a.SetAttribute("target", "_blank");
                a.SetAttribute("rel", "noopener noreferrer nofollow");
            }
            // Task-list boxes are display only.
            if (e.Node is AngleSharp.Dom.IElement { TagName: "INPUT" } input && input.GetAttribute("type") != "checkbox")
                input.Remove();
        };
    }

    /// <summary>Safe HTML for <paramref name="markdown"/>.</summary>
    public string ToHtml(string? markdown) =>
        string.IsNullOrWhiteSpace(markdown) ? "" : _sanitizer.Sanitize(Markdown.ToHtml(markdown, _pipeline));

    /// <summary>Sanitises HTML from elsewhere with the same rules.</summary>
    public string Sanitize(string html) => _sanitizer.Sanitize(html);
}
