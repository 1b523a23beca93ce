using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Tests.Identity;

public class TwoFactorSignInTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task A_staff_user_with_an_authenticator_needs_the_current_code_after_the_password_and_a_wrong_code_is_refused()
    {
        await factory.SeedAsync();
        const string email = "twofactor-operator@test.local";
        var user = await factory.CreateUserAsync(email, Roles.Operator);
        var key = await EnableAuthenticatorAsync(user.Email);
        var client = factory.Browser();

        var password = await PortalSession.PostSignInAsync(client, email, PortalFactory.Password);

        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.StartsWith("/account/sign-in/two-factor", password.Headers.Location!.OriginalString.Replace("http://localhost", ""));
        Assert.DoesNotContain(password.Headers.GetValues("Set-Cookie"), c => c.StartsWith(IdentityExtensions.CookieName + "=", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/merchants")).StatusCode);

        var wrong = await PostCodeAsync(client, WrongCode(key));
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("account-error", await wrong.Content.ReadAsStringAsync());
        var stillOut = await client.GetAsync("/merchants");
        Assert.Equal("/account/sign-in", stillOut.Headers.Location?.AbsolutePath);

        var right = await PostCodeAsync(client, Totp(key, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/merchants")).StatusCode);

        var audited = await AuditAsync(email);
        Assert.Contains(audited, e => e is { Action: AuditActions.SignInTwoFactor, Result: AuditResults.Failure });
        Assert.Contains(audited, e => e is { Action: AuditActions.SignInTwoFactor, Result: AuditResults.Success });
    }

    [Fact]
    public async Task The_second_step_without_a_password_first_signs_nobody_in()
    {
        await factory.SeedAsync();
        const string email = "twofactor-agent@test.local";
        var user = await factory.CreateUserAsync(email, Roles.SupportAgent);
        var key = await EnableAuthenticatorAsync(user.Email);
        var client = factory.Browser();

        var response = await PostCodeAsync(client, Totp(key, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/account/sign-in", (await client.GetAsync("/merchants")).Headers.Location?.AbsolutePath);
    }

    /// <summary>What the setup page stores once the user has confirmed a code: a fresh key and the flag.</summary>
    private async Task<string> EnableAuthenticatorAsync(string email)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = (await users.FindByNameAsync(email))!;
        user.AuthenticatorKey = users.GenerateNewAuthenticatorKey();
        user.TwoFactorEnabled = true;
        Assert.True((await users.UpdateAsync(user)).Succeeded);
        return user.AuthenticatorKey;
    }

    private static async Task<HttpResponseMessage> PostCodeAsync(HttpClient client, string code)
    {
        var page = await client.GetStringAsync("/account/sign-in/two-factor");
        return await client.PostAsync("/account/sign-in/two-factor", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "two-factor", ["__RequestVerificationToken"] = PortalSession.AntiforgeryToken(page), ["Input.Code"] = code,
        }));
    }

    /// <summary>A six-digit code that matches none of the steps Identity accepts around now (it allows some drift).</summary>
    private static string WrongCode(string key)
    {
        var now = DateTimeOffset.UtcNow;
        var near = Enumerable.Range(-3, 7).Select(step => Totp(key, now.AddSeconds(30 * step))).ToHashSet();
        return Enumerable.Range(0, 1_000_000).Select(n => n.ToString("D6", CultureInfo.InvariantCulture)).First(c => !near.Contains(c));
    }

    /// <summary>RFC 6238 (30-second steps, HMAC-SHA1, 6 digits) written out here, independent of Identity's implementation.</summary>
    private static string Totp(string base32Key, DateTimeOffset at)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, at.ToUnixTimeSeconds() / 30);
        var hash = HMACSHA1.HashData(Base32(base32Key), counter);
        var offset = hash[^1] & 0x0F;
        var value = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7FFFFFFF) % 1_000_000;
        return value.ToString("D6", CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var ch in text.TrimEnd('=').ToUpperInvariant())
        {
            buffer = (buffer << 5) | alphabet.IndexOf(ch);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. bytes];
    }

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string actor)
    {
        await using var c = await factory.Services.GetRequiredService<Db>().OpenAsync();
        return (await c.QueryAsync<AuditEntry>(
            "SELECT id AS Id, at AS At, actor AS Actor, action AS Action, target AS Target, result AS Result, ip AS Ip, detail AS Detail FROM audit_log WHERE actor = @actor",
            new { actor })).AsList();
    }
}
