using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Coinage.EndToEnd.Tests.Journey.TraderPages;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// Issue 21, item 7, in a real browser: a trader adds a passkey on the account page, signs out, and signs
/// in with it alone. The authenticator is Chromium's virtual one (DevTools protocol, <c>WebAuthn</c> domain):
/// a platform authenticator with resident keys and user verification, as a laptop's fingerprint reader is,
/// so the whole ceremony runs through the browser's own WebAuthn code against the API's checks.
/// </summary>
[Collection(BrowserPlatformCollection.Name)]
public sealed class PasskeyJourneyTests(BrowserPlatform platform)
{
    [Fact(Timeout = 15 * 60 * 1000)]
    public async Task A_trader_adds_a_passkey_signs_out_and_signs_in_with_it_alone()
    {
        if (!platform.HasChromium)
        {
            Assert.Skip($"{BrowserPlatform.ChromiumPath} is not installed (sudo apt-get install -y chromium).");
        }
        platform.EnsureRunning();
        var cancellationToken = TestContext.Current.CancellationToken;
        var web = platform.Web;
        var (trader, password) = await platform.TraderAsync("passkey", new Dictionary<string, decimal>(), cancellationToken);

        var context = await platform.NewContextAsync();
        var page = await context.NewPageAsync();
        var pages = new TraderPages(page, web);
        try
        {
            var devTools = await context.NewCDPSessionAsync(page);
            await devTools.SendAsync("WebAuthn.enable");
            var added = await devTools.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
            {
                ["options"] = new Dictionary<string, object>
                {
                    ["protocol"] = "ctap2",
                    ["transport"] = "internal",
                    ["hasResidentKey"] = true,
                    ["hasUserVerification"] = true,
                    ["isUserVerified"] = true,
                    ["automaticPresenceSimulation"] = true,
                },
            });
            var authenticatorId = added!.Value.GetProperty("authenticatorId").GetString()!;

            await page.GotoAsync(new Uri(web, "/sign-in").ToString());
            await pages.SignInAsync(trader.Email, password);
            await pages.OpenSecurityAsync();
            var form = page.GetByRole(AriaRole.Form, new() { Name = "Add a passkey", Exact = true });
            await form.GetByLabel(new Regex(@"^Passkey name[\s*]*$")).FillAsync("Laptop");
            await form.GetByRole(AriaRole.Button, new() { Name = "Add a passkey", Exact = true }).ClickAsync();
            await Expect(page.GetByText("Passkey “Laptop” added.")).ToBeVisibleAsync();
            // The account's first second factor: its recovery codes are shown once.
            await Expect(page.GetByRole(AriaRole.List, new() { Name = "Recovery codes", Exact = true }).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(10);
            var passkeys = page.GetByRole(AriaRole.List, new() { Name = "Your passkeys", Exact = true });
            await Expect(passkeys).ToContainTextAsync("Laptop");
            await Expect(passkeys).ToContainTextAsync("never used");

            // The authenticator holds one discoverable credential for this site, made for this account.
            var credentials = (await devTools.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId }))!.Value.GetProperty("credentials");
            Assert.Equal(1, credentials.GetArrayLength());
            Assert.True(credentials[0].GetProperty("isResidentCredential").GetBoolean());
            Assert.Equal(web.Host, credentials[0].GetProperty("rpId").GetString());
            var signCount = credentials[0].GetProperty("signCount").GetInt32();

            await pages.SignOutAsync();
            await page.GotoAsync(new Uri(web, "/sign-in").ToString());
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey", Exact = true }).ClickAsync();
            // Signed in: a passkey sign-in lands on the home page's portfolio, as a password one does.
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Portfolio", Exact = true, Level = 1 })).ToBeVisibleAsync();

            // The sign-in used the passkey: the authenticator signed once more, and the account page says when.
            credentials = (await devTools.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId }))!.Value.GetProperty("credentials");
            Assert.True(credentials[0].GetProperty("signCount").GetInt32() > signCount, JsonSerializer.Serialize(credentials[0]));
            await pages.OpenSecurityAsync();
            await Expect(page.GetByRole(AriaRole.List, new() { Name = "Your passkeys", Exact = true })).ToContainTextAsync("last used");
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
