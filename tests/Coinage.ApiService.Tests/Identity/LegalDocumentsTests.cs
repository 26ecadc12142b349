using System.Net;
using System.Net.Http.Json;
using Coinage.ApiService.Identity;

namespace Coinage.ApiService.Tests.Identity;

public sealed class LegalDocumentsTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Sign_up_reads_the_current_versions_which_follow_configuration()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Coinage:Identity:TermsVersion"] = "2027-01-15",
            ["Coinage:Identity:PrivacyVersion"] = "2026-12-01",
        };
        await using var factory = new ApiFactory(infrastructure, settings);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/api/v1/auth/legal", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var legal = await response.Content.ReadFromJsonAsync<LegalDocumentsResponse>(TestContext.Current.CancellationToken);
        Assert.Equal(new LegalDocumentsResponse("2027-01-15", "2026-12-01"), legal);
    }

    [Fact]
    public async Task The_documents_addresses_are_given_when_configured_and_only_as_web_links()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Coinage:Identity:TermsUrl"] = "https://coinage.example/legal/terms-2026-11-01",
            ["Coinage:Identity:PrivacyUrl"] = "/legal/privacy",
        };
        await using (var factory = new ApiFactory(infrastructure, settings))
        {
            var legal = await factory.CreateClient().GetFromJsonAsync<LegalDocumentsResponse>("/api/v1/auth/legal", TestContext.Current.CancellationToken);
            Assert.Equal(("https://coinage.example/legal/terms-2026-11-01", "/legal/privacy"), (legal!.TermsUrl, legal.PrivacyUrl));
        }
        // A script or another site's protocol-relative address is never handed to a form as a link.
        settings["Coinage:Identity:TermsUrl"] = "javascript:alert(1)";
        settings["Coinage:Identity:PrivacyUrl"] = "//evil.example/privacy";
        await using (var factory = new ApiFactory(infrastructure, settings))
        {
            var legal = await factory.CreateClient().GetFromJsonAsync<LegalDocumentsResponse>("/api/v1/auth/legal", TestContext.Current.CancellationToken);
            Assert.Equal(((string?)null, (string?)null), (legal!.TermsUrl, legal.PrivacyUrl));
        }
    }
}
