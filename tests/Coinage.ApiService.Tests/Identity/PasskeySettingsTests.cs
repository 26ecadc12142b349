using Coinage.ApiService.Identity.Passkeys;

namespace Coinage.ApiService.Tests.Identity;

/// <summary>Which relying party and origins the API accepts passkeys for, from <c>Coinage:Passkeys</c> and <c>Coinage:WebBaseUrl</c>.</summary>
public sealed class PasskeySettingsTests
{
    [Fact]
    public void By_default_the_web_front_ends_origin_and_host_are_the_origin_and_relying_party()
    {
        var (relyingPartyId, origins) = new PasskeySettings().Resolve("http://localhost:5173/some/path");
        Assert.Equal("localhost", relyingPartyId);
        Assert.Equal(["http://localhost:5173"], origins);
    }

    [Fact]
    public void Configured_origins_and_relying_party_win_over_the_web_base_url()
    {
        var settings = new PasskeySettings { RelyingPartyId = "coinage.example" };
        settings.Origins.Add("https://app.coinage.example/");
        settings.Origins.Add("https://coinage.example");
        var (relyingPartyId, origins) = settings.Resolve("http://webfrontend:8080");
        Assert.Equal("coinage.example", relyingPartyId);
        Assert.Equal(new HashSet<string> { "https://app.coinage.example", "https://coinage.example" }, origins);
    }

    [Fact]
    public void Without_an_explicit_relying_party_the_first_origins_host_is_used()
    {
        var settings = new PasskeySettings();
        settings.Origins.Add("https://app.coinage.example");
        Assert.Equal("app.coinage.example", settings.Resolve(null).RelyingPartyId);
    }
}
