using System.Buffers.Binary;
using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Coinage.ApiService.Tests.Identity;

/// <summary>
/// A WebAuthn authenticator in software, as a browser and a platform authenticator would answer: one
/// ES256 credential, attestation "none", assertions signed over authenticatorData ‖ SHA-256(clientDataJSON).
/// Everything is built by hand (CBOR, COSE key, flags, counters) so the server's checks are exercised by
/// the bytes a real authenticator sends, and a test can bend one of them (the counter, the origin, the
/// user handle) at a time.
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    private const byte UserPresent = 0x01;
    private const byte UserVerified = 0x04;
    private const byte AttestedCredentialData = 0x40;

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public SoftwareAuthenticator(string origin, string relyingPartyId)
    {
        Origin = origin;
        RelyingPartyId = relyingPartyId;
    }

    public string Origin { get; set; }

    public string RelyingPartyId { get; set; }

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(32);

    public string CredentialIdText => Base64Url.EncodeToString(CredentialId);

    /// <summary>The user handle the credential was made for; sent back with every assertion, as a discoverable credential does.</summary>
    public byte[]? UserHandle { get; set; }

    /// <summary>The signature counter; each assertion increments it first (set it back to play a cloned key).</summary>
    public uint SignCount { get; set; }

    /// <summary><c>navigator.credentials.create</c> with the server's creation options: the credential as JSON.</summary>
    public object Create(JsonElement options)
    {
        var challenge = options.GetProperty("challenge").GetString()!;
        Assert.Equal(RelyingPartyId, options.GetProperty("rp").GetProperty("id").GetString());
        UserHandle = Base64Url.DecodeFromChars(options.GetProperty("user").GetProperty("id").GetString());
        var clientData = ClientData("webauthn.create", challenge);

        var parameters = _key.ExportParameters(false);
        var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cose.WriteStartMap(5);
        cose.WriteInt32(1); cose.WriteInt32(2);      // kty: EC2
        cose.WriteInt32(3); cose.WriteInt32(-7);     // alg: ES256
        cose.WriteInt32(-1); cose.WriteInt32(1);     // crv: P-256
        cose.WriteInt32(-2); cose.WriteByteString(parameters.Q.X!);
        cose.WriteInt32(-3); cose.WriteByteString(parameters.Q.Y!);
        cose.WriteEndMap();

        var credentialData = new List<byte>();
        credentialData.AddRange(new byte[16]); // AAGUID: zero, as with attestation "none"
        credentialData.Add((byte)(CredentialId.Length >> 8));
        credentialData.Add((byte)CredentialId.Length);
        credentialData.AddRange(CredentialId);
        credentialData.AddRange(cose.Encode());
        var authenticatorData = AuthenticatorData((byte)(UserPresent | UserVerified | AttestedCredentialData), SignCount, credentialData.ToArray());

        var attestation = new CborWriter(CborConformanceMode.Ctap2Canonical);
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt"); attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt"); attestation.WriteStartMap(0); attestation.WriteEndMap();
        attestation.WriteTextString("authData"); attestation.WriteByteString(authenticatorData);
        attestation.WriteEndMap();

        return new
        {
            id = CredentialIdText,
            rawId = CredentialIdText,
            type = "public-key",
            response = new
            {
                clientDataJSON = Base64Url.EncodeToString(clientData),
                attestationObject = Base64Url.EncodeToString(attestation.Encode()),
                transports = new[] { "internal", "hybrid" },
            },
            clientExtensionResults = new { },
        };
    }

    /// <summary><c>navigator.credentials.get</c> with the server's request options: the assertion as JSON.</summary>
    public object Get(JsonElement options, bool userVerified = true, byte[]? userHandle = null)
    {
        Assert.Equal(RelyingPartyId, options.GetProperty("rpId").GetString());
        SignCount++;
        var clientData = ClientData("webauthn.get", options.GetProperty("challenge").GetString()!);
        var authenticatorData = AuthenticatorData((byte)(UserPresent | (userVerified ? UserVerified : 0)), SignCount, []);
        var signed = authenticatorData.Concat(SHA256.HashData(clientData)).ToArray();
        var signature = _key.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new
        {
            id = CredentialIdText,
            rawId = CredentialIdText,
            type = "public-key",
            response = new
            {
                clientDataJSON = Base64Url.EncodeToString(clientData),
                authenticatorData = Base64Url.EncodeToString(authenticatorData),
                signature = Base64Url.EncodeToString(signature),
                userHandle = Base64Url.EncodeToString(userHandle ?? UserHandle!),
            },
            clientExtensionResults = new { },
        };
    }

    public void Dispose() => _key.Dispose();

    private byte[] ClientData(string type, string challenge) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type, challenge, origin = Origin, crossOrigin = false }));

    private byte[] AuthenticatorData(byte flags, uint signCount, byte[] attestedCredentialData)
    {
        var data = new byte[32 + 1 + 4 + attestedCredentialData.Length];
        SHA256.HashData(Encoding.UTF8.GetBytes(RelyingPartyId)).CopyTo(data, 0);
        data[32] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(33, 4), signCount);
        attestedCredentialData.CopyTo(data, 37);
        return data;
    }
}
