extern alias worker;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coinage.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using worker::Coinage.Worker.Email;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Identity;

/// <summary>Registration → outbox → the Worker's send job → SMTP → maildev → the link, followed.</summary>
public sealed partial class EmailEndToEndTests(InfrastructureFixture infrastructure)
{
    private const string WebBaseUrl = MailDevInbox.WebBaseUrl;
    private readonly MailDevInbox _inbox = new(infrastructure);

    [Fact]
    public async Task The_verification_link_read_from_maildev_verifies_the_account()
    {
        await using var factory = new ApiFactory(infrastructure);
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var email = NewEmail("e2e");
        await client.RegisterAsync(email);
        var access = (await client.LoginAsync(email)).GetProperty("accessToken").GetString()!;
        using (var phrase = await client.SendAsync(HttpMethod.Put, "/api/v1/account/anti-phishing-phrase", access, new { phrase = "green lantern 4" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, phrase.StatusCode);
        }
        using (var resend = await client.PostAsync("/api/v1/auth/resend-verification", new { email }))
        {
            Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);
        }

        Assert.NotEqual(0, await _inbox.DeliverOutboxAsync(factory.Services, email));

        var mails = await _inbox.MailsToAsync(email, mine => mine.Count >= 2, $"The emails to {email}");
        var verification = mails.Last(m => m.GetProperty("subject").GetString() == "Verify your email address");
        var text = verification.GetProperty("text").GetString()!;
        Assert.Contains("Your anti-phishing phrase: green lantern 4", text, StringComparison.Ordinal);
        var link = new Uri(LinkPattern().Match(text).Value);
        Assert.Equal(WebBaseUrl + "/verify-email", link.GetLeftPart(UriPartial.Path));
        var query = System.Web.HttpUtility.ParseQueryString(link.Query);

        using var verified = await client.PostAsync("/api/v1/auth/verify-email", new { userId = query["userId"], token = query["token"] });
        Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        Assert.Equal(1, await client.CountAsync("SELECT count(*) FROM users WHERE email = @e AND email_confirmed", ("e", email)));
    }

    [GeneratedRegex(@"http://web\.coinage\.test/verify-email\?\S+")]
    private static partial Regex LinkPattern();
}
