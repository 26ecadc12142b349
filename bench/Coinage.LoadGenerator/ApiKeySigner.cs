using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Coinage.LoadGenerator;

/// <summary>
/// Signs a request with an API key as docs/api-keys.md says a program does: lowercase hex HMAC-SHA256, keyed with
/// the secret's text, over <c>{timestamp}\n{METHOD}\n{path and query}\n{body}</c>. Written out here rather than
/// borrowed from the API, so the benchmark is also a second implementation of the scheme.
/// </summary>
internal sealed class ApiKeySigner(string keyId, string secret)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(secret);

    /// <summary>Last timestamp used: a loop sending twice in one millisecond moves on by one, so no two signatures repeat.</summary>
    private long _last;

    public void Sign(HttpRequestMessage request, string pathAndQuery, string body)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long timestamp;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _last);
            timestamp = Math.Max(now, seen + 1);
        }
        while (Interlocked.CompareExchange(ref _last, timestamp, seen) != seen);
        var text = string.Create(CultureInfo.InvariantCulture, $"{timestamp}\n{request.Method.Method}\n{pathAndQuery}\n{body}");
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text)));
        request.Headers.Add("Coinage-Key", keyId);
        request.Headers.Add("Coinage-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Coinage-Signature", signature);
    }
}
