extern alias worker;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coinage.ApiService.Tests.Identity;
using Coinage.Domain.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using worker::Coinage.Worker.Email;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.ApiKeys;

/// <summary>
/// The security notices of API keys (issue 23): creating and revoking a key emails its owner, in plain text and HTML
/// with the anti-phishing phrase first, through the outbox, to maildev. Real PostgreSQL, Redis and maildev; the
/// connections come from <see cref="Peer"/>, the address the email must name.
/// </summary>
public sealed class ApiKeyNoticeTests(InfrastructureFixture infrastructure)
{
        private static readonly IPAddress Peer = IPAddress.Parse("203.0.113.45");
    private const string Browser = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private const string Phrase = "blue harbour 7";
    private readonly MailDevInbox _inbox = new(infrastructure);

    [Fact]
    public async Task Creating_and_revoking_a_key_email_its_owner_what_when_and_from_where_with_the_phrase_and_the_link_to_act()
    {
        await using var api = new ApiFactory(infrastructure, configure: builder => builder.ConfigureTestServices(services =>
            services.AddSingleton<IStartupFilter>(new ConnectionFrom(Peer))));
        var email = IdentityTestClient.NewEmail("key-notice");
        var identity = new IdentityTestClient(api.CreateClient(), infrastructure.PostgresConnectionString);
        var (access, _) = await identity.SignedInUserAsync(email);
        using var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        http.DefaultRequestHeaders.UserAgent.ParseAdd(Browser);
        using (var phrase = await http.PutAsJsonAsync("/api/v1/account/anti-phishing-phrase", new { phrase = Phrase }, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, phrase.StatusCode);
        }

        string keyId;
        var expiresAt = DateTimeOffset.UtcNow.AddDays(30);
        using (var created = await http.PostAsJsonAsync("/api/v1/account/api-keys",
            new { name = "grid bot", scopes = new[] { "trade", "read" }, ipAllowList = new[] { "198.51.100.0/24", "203.0.113.45" }, expiresAt }, Ct))
        {
            var body = await JsonAsync(created);
            Assert.True(created.StatusCode == HttpStatusCode.Created, $"{created.StatusCode}: {body}");
            keyId = body.GetProperty("id").GetString()!;
        }

        await _inbox.DeliverOutboxAsync(api.Services, email);
        var (text, html) = await _inbox.MailAsync(email, "A new API key was created on your account");
        Assert.StartsWith($"Your anti-phishing phrase: {Phrase}", text, StringComparison.Ordinal);
        Assert.Contains("An API key named \"grid bot\" was created", text, StringComparison.Ordinal);
        Assert.Contains("from 203.0.113.45 (Firefox on Linux)", text, StringComparison.Ordinal);
        Assert.Contains("It can: read, trade. IP allow-list: 198.51.100.0/24, 203.0.113.45/32.", text, StringComparison.Ordinal);
        Assert.Contains($"Expires: {expiresAt:yyyy-MM-dd}", text, StringComparison.Ordinal);
        Assert.Contains("If this was not you, revoke the key now", text, StringComparison.Ordinal);
        Assert.Contains("http://web.coinage.test/account/security", text, StringComparison.Ordinal);
        Assert.DoesNotContain(keyId, text, StringComparison.Ordinal);
        // The HTML part: the phrase before the heading, and the link to act on as its button.
        var phraseAt = html.IndexOf($"Your anti-phishing phrase: <strong>{Phrase}</strong>", StringComparison.Ordinal);
        Assert.InRange(phraseAt, 0, html.IndexOf("<h1", StringComparison.Ordinal));
        Assert.Matches("<a href=\"http://web.coinage.test/account/security\" style=\"display:inline-block;[^\"]*\">Review my API keys</a>", html);

        using (var revoked = await http.DeleteAsync(new Uri($"/api/v1/account/api-keys/{keyId}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }
        await _inbox.DeliverOutboxAsync(api.Services, email);
        (text, html) = await _inbox.MailAsync(email, "An API key was revoked");
        Assert.StartsWith($"Your anti-phishing phrase: {Phrase}", text, StringComparison.Ordinal);
        Assert.Contains($"The API key \"grid bot\" ({keyId}, read, trade) was revoked", text, StringComparison.Ordinal);
        Assert.Contains("from 203.0.113.45 (Firefox on Linux)", text, StringComparison.Ordinal);
        Assert.Contains("If this was not you, someone else is signed in to your account", text, StringComparison.Ordinal);
        Assert.Matches("<a href=\"http://web.coinage.test/account/sessions\" style=\"display:inline-block;[^\"]*\">Review my sessions</a>", html);

        // A second revocation finds nothing to revoke, and sends nothing.
        using (var again = await http.DeleteAsync(new Uri($"/api/v1/account/api-keys/{keyId}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }
        Assert.Equal(2, await identity.CountAsync(
            "SELECT count(*) FROM outbox_messages WHERE payload->>'to' = @e AND type IN ('email.api_key_created', 'email.api_key_revoked')", ("e", email)));
    }
}
