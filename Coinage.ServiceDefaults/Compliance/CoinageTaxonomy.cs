using Microsoft.Extensions.Compliance.Classification;

namespace Coinage.ServiceDefaults.Compliance;

/// <summary>
/// What Coinage's logs may carry only redacted. Log call sites mark their parameters with
/// <see cref="PiiAttribute"/> or <see cref="SecretAttribute"/>; <c>EnableRedaction</c>
/// (see <see cref="LoggingDefaults"/>) redacts them before any provider (console, OTLP) sees them.
/// </summary>
public static class CoinageTaxonomy
{
    public const string Name = "Coinage";

    /// <summary>
    /// Identifies a person: emails, IP addresses, user agents. HMAC-redacted, so the same value
    /// always gives the same token and an incident can still be followed across log lines.
    /// </summary>
    public static DataClassification PersonalData => new(Name, nameof(PersonalData));

    /// <summary>Grants access: tokens, passwords, one-time codes, tickets. Erased.</summary>
    public static DataClassification Secret => new(Name, nameof(Secret));
}

/// <summary>Personal data (<see cref="CoinageTaxonomy.PersonalData"/>): the parameter identifies a person (email, IP, user agent): logged as an HMAC token.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.ReturnValue)]
public sealed class PiiAttribute : DataClassificationAttribute
{
    public PiiAttribute() : base(CoinageTaxonomy.PersonalData)
    {
    }
}

/// <summary>The parameter grants access (token, password, code): never logged.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.ReturnValue)]
public sealed class SecretAttribute : DataClassificationAttribute
{
    public SecretAttribute() : base(CoinageTaxonomy.Secret)
    {
    }
}
