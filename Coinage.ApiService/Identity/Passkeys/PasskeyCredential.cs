using System.Buffers.Text;
using Fido2NetLib;
using Fido2NetLib.Objects;

namespace Coinage.ApiService.Identity.Passkeys;

/// <summary>
/// A <c>PublicKeyCredential</c> as the browser's <c>toJSON()</c> (or <c>@simplewebauthn/browser</c>) writes
/// it: binary fields in base64url. Every field is a nullable string so a missing or mistyped one is a
/// field error rather than a failed model binding.
/// </summary>
public sealed record PasskeyCredential(string? Id, string? RawId, string? Type, PasskeyCredentialResponse? Response)
{
    internal static readonly IReadOnlySet<string> KnownTransports = new HashSet<string>(StringComparer.Ordinal) { "usb", "nfc", "ble", "smart-card", "hybrid", "internal" };

    // A credential id is at most 1023 bytes, and nothing a browser sends here comes near 16 KiB.
    private const int MaximumFieldLength = 16 * 1024;

    /// <summary>Field errors under <paramref name="field"/> (<c>credential.response.clientDataJSON</c>…); false when any.</summary>
    internal bool Validate(InputErrors errors, string field, bool registration)
    {
        var before = errors.Count;
        Binary(errors, $"{field}.rawId", RawId);
        if (Type != "public-key")
        {
            errors.Add($"{field}.type", "Must be \"public-key\".");
        }
        if (Response is null)
        {
            errors.Add($"{field}.response", "This field is required.");
            return false;
        }
        Binary(errors, $"{field}.response.clientDataJSON", Response.ClientDataJson);
        if (registration)
        {
            Binary(errors, $"{field}.response.attestationObject", Response.AttestationObject);
            if (Response.Transports is { Count: > 8 })
            {
                errors.Add($"{field}.response.transports", "At most 8 transports.");
            }
        }
        else
        {
            Binary(errors, $"{field}.response.authenticatorData", Response.AuthenticatorData);
            Binary(errors, $"{field}.response.signature", Response.Signature);
            if (Response.UserHandle is not null)
            {
                Binary(errors, $"{field}.response.userHandle", Response.UserHandle);
            }
        }
        return errors.Count == before;
    }

    internal AuthenticatorAttestationRawResponse? ToAttestation() => Response is null ? null : new()
    {
        Id = RawId!,
        RawId = Base64Url.DecodeFromChars(RawId),
        Type = PublicKeyCredentialType.PublicKey,
        Response = new AuthenticatorAttestationRawResponse.AttestationResponse
        {
            AttestationObject = Base64Url.DecodeFromChars(Response.AttestationObject),
            ClientDataJson = Base64Url.DecodeFromChars(Response.ClientDataJson),
            Transports = [],
        },
        ClientExtensionResults = new AuthenticationExtensionsClientOutputs(),
    };

    internal AuthenticatorAssertionRawResponse? ToAssertion() => Response is null ? null : new()
    {
        Id = RawId!,
        RawId = Base64Url.DecodeFromChars(RawId),
        Type = PublicKeyCredentialType.PublicKey,
        Response = new AuthenticatorAssertionRawResponse.AssertionResponse
        {
            AuthenticatorData = Base64Url.DecodeFromChars(Response.AuthenticatorData),
            Signature = Base64Url.DecodeFromChars(Response.Signature),
            ClientDataJson = Base64Url.DecodeFromChars(Response.ClientDataJson),
            UserHandle = Response.UserHandle is null ? null : Base64Url.DecodeFromChars(Response.UserHandle),
        },
        ClientExtensionResults = new AuthenticationExtensionsClientOutputs(),
    };

    internal static AuthenticatorTransport[] ParseTransports(string transports) =>
        transports.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => t switch
        {
            "usb" => AuthenticatorTransport.Usb,
            "nfc" => AuthenticatorTransport.Nfc,
            "ble" => AuthenticatorTransport.Ble,
            "smart-card" => AuthenticatorTransport.SmartCard,
            "hybrid" => AuthenticatorTransport.Hybrid,
            _ => AuthenticatorTransport.Internal,
        }).Distinct().ToArray();

    private static void Binary(InputErrors errors, string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(field, "This field is required.");
        }
        else if (value.Length > MaximumFieldLength || !Base64Url.IsValid(value))
        {
            errors.Add(field, "Not base64url.");
        }
    }
}

/// <summary>
/// <c>AuthenticatorAttestationResponse</c> (registration: <c>attestationObject</c>, <c>transports</c>) or
/// <c>AuthenticatorAssertionResponse</c> (sign-in: <c>authenticatorData</c>, <c>signature</c>, <c>userHandle</c>).
/// </summary>
public sealed record PasskeyCredentialResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("clientDataJSON")] string? ClientDataJson,
    string? AttestationObject,
    IReadOnlyList<string>? Transports,
    string? AuthenticatorData,
    string? Signature,
    string? UserHandle);
