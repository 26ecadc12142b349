namespace Coinage.ApiService.Identity.Passkeys;

/// <summary>
/// <c>Coinage:Passkeys</c>: who the relying party is for WebAuthn. The browser binds every passkey to
/// the relying party id (a registrable domain of the page's origin, never an IP address) and signs
/// the origin it ran on; the API accepts only the origins listed here.
/// </summary>
public sealed class PasskeySettings
{
    public const string Section = "Coinage:Passkeys";

    /// <summary>The domain passkeys are bound to (<c>coinage.example</c>); by default the host of the first origin.</summary>
    public string? RelyingPartyId { get; set; }

    /// <summary>Shown by the browser and the authenticator when a passkey is created.</summary>
    public string RelyingPartyName { get; set; } = "Coinage";

    /// <summary>Origins of the pages that run the ceremonies (the web front end); by default <c>Coinage:WebBaseUrl</c>'s.</summary>
    public IList<string> Origins { get; } = [];

    /// <summary>How long a ceremony's options (and their challenge) can be answered.</summary>
    public TimeSpan CeremonyLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most passkeys one account may hold.</summary>
    public int MaximumPerUser { get; set; } = 20;

    /// <summary>The origins and relying party id in force, with the defaults applied.</summary>
    internal (string RelyingPartyId, IReadOnlySet<string> Origins) Resolve(string? webBaseUrl)
    {
        var origins = Origins.Count > 0 ? Origins.ToList()
            : Uri.TryCreate(webBaseUrl, UriKind.Absolute, out var web) ? [web.GetLeftPart(UriPartial.Authority)]
            : ["http://localhost:5000"];
        var normalised = origins.Select(o => new Uri(o, UriKind.Absolute).GetLeftPart(UriPartial.Authority)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var relyingPartyId = string.IsNullOrWhiteSpace(RelyingPartyId) ? new Uri(origins[0]).Host : RelyingPartyId;
        return (relyingPartyId, normalised);
    }
}
