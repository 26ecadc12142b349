using System.Security.Cryptography;
using System.Text;
using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OtpNet;
using QRCoder;

namespace Coinage.ApiService.Identity.TwoFactor;

/// <summary>
/// TOTP (RFC 6238, 30 s, 6 digits, ±1 step) with Otp.NET; the secret is kept encrypted with Data
/// Protection and the last accepted time step is stored, so a code is accepted once.
/// </summary>
public sealed class TotpService(IDataProtectionProvider dataProtection, TimeProvider clock)
{
    public const string Issuer = "Coinage";
    public const int RecoveryCodeCount = 10;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Coinage.Identity.TotpSecret.v1");

    public (string Secret, string Protected) NewSecret()
    {
        var secret = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));
        return (secret, _protector.Protect(secret));
    }

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);

    public static string OtpAuthUri(string secret, string email) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(email)}?secret={secret}&issuer={Uri.EscapeDataString(Issuer)}&algorithm=SHA1&digits=6&period=30";

    public static string QrCodeDataUri(string content)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(content, QRCodeGenerator.ECCLevel.M);
        using var png = new PngByteQRCode(data);
        return "data:image/png;base64," + Convert.ToBase64String(png.GetGraphic(6));
    }

    /// <summary>
    /// Checks a code against the user's secret; on success records its time step on
    /// <paramref name="user"/> (saved by the caller), and refuses any step not after the last one.
    /// </summary>
    public bool VerifyAndConsume(CoinageUser user, string code)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.TotpSecretProtected is null || code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return false;
        }
        var totp = new Totp(Base32Encoding.ToBytes(Unprotect(user.TotpSecretProtected)));
        var ok = totp.VerifyTotp(clock.GetUtcNow().UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 1));
        if (!ok || (user.TotpLastTimeStep is { } last && step <= last))
        {
            return false;
        }
        user.TotpLastTimeStep = step;
        return true;
    }

    /// <summary>Replaces the user's recovery codes with ten new ones; returns them in clear, the only time they are shown.</summary>
    public async Task<IReadOnlyList<string>> RegenerateRecoveryCodesAsync(CoinageDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var codes = new List<string>(RecoveryCodeCount);
        for (var i = 0; i < RecoveryCodeCount; i++)
        {
            // 10 characters of Base32: 50 bits, shown as xxxxx-xxxxx.
            var raw = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(7))[..10].ToLowerInvariant();
            var code = $"{raw[..5]}-{raw[5..]}";
            codes.Add(code);
            db.RecoveryCodes.Add(new RecoveryCode { Id = Guid.CreateVersion7(), UserId = userId, CodeHash = HashRecoveryCode(code), CreatedAt = now });
        }
        return codes;
    }

    /// <summary>Marks a recovery code used with one conditional UPDATE; false when unknown or already used.</summary>
    public async Task<bool> ConsumeRecoveryCodeAsync(CoinageDbContext db, Guid userId, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var hash = HashRecoveryCode(code);
        var now = clock.GetUtcNow();
        var used = await db.RecoveryCodes
            .Where(c => c.UserId == userId && c.CodeHash == hash && c.UsedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.UsedAt, now), cancellationToken).ConfigureAwait(false);
        return used == 1;
    }

    public static string HashRecoveryCode(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var normalized = code.Replace("-", "", StringComparison.Ordinal).Trim().ToLowerInvariant();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
    }
}
