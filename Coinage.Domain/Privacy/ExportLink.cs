using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Coinage.Domain.Privacy;

/// <summary>
/// The token of an export's download link: export id, a random nonce and the expiry, authenticated
/// and encrypted with Data Protection (keys shared by the Worker that writes it and the API that
/// reads it). Signed and expiring by itself; single use because the export row keeps only the
/// nonce's hash and the first download deletes the archive.
/// </summary>
public static class ExportLink
{
    public static (string Token, string NonceHash) Create(IDataProtectionProvider dataProtection, Guid exportId, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(dataProtection);
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var payload = string.Join('|', exportId.ToString("N"), nonce, expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        return (dataProtection.CreateProtector(PrivacyProtection.LinkPurpose).Protect(payload), HashNonce(nonce));
    }

    /// <summary>The export and nonce of a valid, unexpired token; null otherwise.</summary>
    public static (Guid ExportId, string Nonce)? Read(IDataProtectionProvider dataProtection, string token, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(dataProtection);
        string payload;
        try
        {
            payload = dataProtection.CreateProtector(PrivacyProtection.LinkPurpose).Unprotect(token);
        }
        catch (CryptographicException)
        {
            return null;
        }
        var parts = payload.Split('|');
        if (parts.Length != 3 || !Guid.TryParseExact(parts[0], "N", out var exportId)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || DateTimeOffset.FromUnixTimeSeconds(expires) <= now)
        {
            return null;
        }
        return (exportId, parts[1]);
    }

    public static string HashNonce(string nonce) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(nonce)));
}
