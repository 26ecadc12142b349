using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Coinage.ApiService.Identity.ApiKeys;

/// <summary>
/// The signing scheme of API keys, shared with the WebSocket handshake and the example client (docs/api-keys.md):
/// lowercase hex HMAC-SHA256, keyed with the secret as the program holds it (its base64url text, UTF-8), over
/// <c>{timestamp}\n{METHOD}\n{path and query as sent}\n{body as sent}</c>. Pure, so it is unit-tested on its own.
/// </summary>
public static class ApiKeySignature
{
    public const string KeyHeader = "Coinage-Key";
    public const string TimestampHeader = "Coinage-Timestamp";
    public const string SignatureHeader = "Coinage-Signature";
    public const string WindowHeader = "Coinage-Window";

    public const int DefaultWindowMilliseconds = 5_000;
    public const int MaxWindowMilliseconds = 60_000;

    private const string IdPrefix = "ck_";
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const int IdRandomCharacters = 20;

    /// <summary>A new public key id: <c>ck_</c> and 20 base32 characters, 100 random bits.</summary>
    public static string NewKeyId()
    {
        Span<byte> random = stackalloc byte[IdRandomCharacters];
        RandomNumberGenerator.Fill(random);
        var id = new StringBuilder(IdPrefix, IdPrefix.Length + IdRandomCharacters);
        foreach (var b in random)
        {
            id.Append(Base32Alphabet[b & 31]); // 256 is a multiple of 32: no bias.
        }
        return id.ToString();
    }

    /// <summary>32 random bytes, base64url without padding (43 characters): shown once.</summary>
    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static bool IsWellFormedKeyId(string? id) =>
        id is { Length: 23 } && id.StartsWith(IdPrefix, StringComparison.Ordinal) && id.AsSpan(IdPrefix.Length).ContainsAnyExcept(Base32Alphabet) == false;

    /// <summary>The text before the body, exactly as the client builds it.</summary>
    public static string Prelude(long timestamp, string method, string pathAndQuery) =>
        string.Create(CultureInfo.InvariantCulture, $"{timestamp}\n{method}\n{pathAndQuery}\n");

    /// <summary>The canonical string of a request whose body is text (what a client signs).</summary>
    public static string Canonical(long timestamp, string method, string pathAndQuery, string body) =>
        Prelude(timestamp, method, pathAndQuery) + body;

    /// <summary>The signature a client sends: lowercase hex.</summary>
    public static string Sign(string secret, long timestamp, string method, string pathAndQuery, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(Compute(secret, timestamp, method, pathAndQuery, body));

    public static string Sign(string secret, long timestamp, string method, string pathAndQuery, string body) =>
        Sign(secret, timestamp, method, pathAndQuery, Encoding.UTF8.GetBytes(body));

    /// <summary>
    /// Whether <paramref name="signature"/> (64 lowercase hex characters) is the request's, compared in constant time.
    /// The body is taken as bytes: what was sent, whatever its encoding.
    /// </summary>
    public static bool Verify(string secret, long timestamp, string method, string pathAndQuery, ReadOnlySpan<byte> body, string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (!IsWellFormedSignature(signature))
        {
            return false;
        }
        Span<byte> sent = stackalloc byte[32];
        Convert.FromHexString(signature, sent, out _, out _);
        return CryptographicOperations.FixedTimeEquals(sent, Compute(secret, timestamp, method, pathAndQuery, body));
    }

    /// <summary>64 lowercase hex characters: one spelling per signature, so the replay check cannot be dodged by case.</summary>
    public static bool IsWellFormedSignature(string? signature) =>
        signature is { Length: 64 } && !signature.AsSpan().ContainsAnyExcept("0123456789abcdef");

    /// <summary>Whether the timestamp lies within the window around now (both in Unix milliseconds).</summary>
    public static bool IsWithinWindow(long timestamp, long now, int windowMilliseconds) =>
        Math.Abs(now - timestamp) <= windowMilliseconds;

    private static byte[] Compute(string secret, long timestamp, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes(Prelude(timestamp, method, pathAndQuery)));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
