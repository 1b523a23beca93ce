using System.Net;
using System.Text.RegularExpressions;

namespace PosMonitor.Web.Tests.Identity;

public class SecurityHeadersTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Pages_carry_a_csp_without_inline_script_and_deny_framing()
    {
        var response = await factory.Browser().GetAsync("/account/sign-in");
        var html = await response.Content.ReadAsStringAsync();

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        var scriptSrc = Regex.Match(csp, "script-src ([^;]*)").Groups[1].Value;
        Assert.DoesNotContain("unsafe-inline", scriptSrc);
        Assert.DoesNotContain("unsafe-eval", scriptSrc);
        var nonce = Regex.Match(scriptSrc, "'nonce-([^']+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        // Every inline script of the page carries this request's nonce.
        foreach (Match script in Regex.Matches(html, "<script(?![^>]*\\bsrc=)([^>]*)>"))
            Assert.Contains($"nonce=\"{nonce}\"", script.Groups[1].Value);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Each_response_gets_a_fresh_nonce()
    {
        var a = await factory.Browser().GetAsync("/account/sign-in");
        var b = await factory.Browser().GetAsync("/account/sign-in");
        Assert.NotEqual(a.Headers.GetValues("Content-Security-Policy").Single(), b.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task A_sign_in_post_without_antiforgery_token_is_refused()
    {
        var response = await factory.Browser().PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in", ["Input.Email"] = "a@b.c", ["Input.Password"] = "whatever-password",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
