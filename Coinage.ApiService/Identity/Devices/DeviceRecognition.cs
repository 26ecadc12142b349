using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Coinage.ApiService.Security;
using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Identity.Devices;

/// <summary>What a sign-in's device turned out to be.</summary>
/// <param name="IsNew">Not seen before for this user, and not the user's first sign-in ever: worth an email.</param>
public sealed record DeviceSighting(Guid Id, string Label, bool IsNew);

/// <summary>
/// Recognises the device of a sign-in. A browser (the web front end signs in with <c>useCookie</c>) is
/// its device cookie, a random id kept for 400 days, together with its browser family ("Firefox on
/// Linux"): the same cookie in another browser is another device. A program has no cookie jar; it is
/// its User-Agent within its IP network (/24 for IPv4, /48 for IPv6), so a script that moves between
/// networks, or is upgraded, counts as new. Only a SHA-256 of these is stored, never the cookie.
/// </summary>
public sealed class DeviceRecognition(CoinageDbContext db, TimeProvider clock)
{
    public const string DeviceCookie = "__Secure-coinage-device";
    public const string Browser = "browser";
    public const string Client = "client";

    // Browsers cap a cookie's life at 400 days; every sign-in renews it.
    private static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(400);

    /// <summary>
    /// Records the sign-in's device (insert, or a new last-seen time) in one statement, safe against two
    /// sign-ins from the same new device at once. Call before the sign-in's session is added: the user's
    /// first sign-in ever (no device and no session on record) is not news.
    /// </summary>
    public async Task<DeviceSighting> SightAsync(Guid userId, bool browser, HttpContext http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var userAgent = http.Request.Headers.UserAgent.ToString();
        var ip = http.ClientIp();
        string kind, label, identity;
        var cookie = http.Request.Cookies[DeviceCookie];
        if (browser || (cookie is not null && IsDeviceId(cookie)))
        {
            if (cookie is null || !IsDeviceId(cookie))
            {
                cookie = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            }
            // Set on every browser sign-in: a new device gets its id, a known one a renewed expiry.
            http.Response.Cookies.Append(DeviceCookie, cookie, new CookieOptions
            {
                HttpOnly = true,
                Secure = true,
                SameSite = SameSiteMode.Strict,
                Path = AuthService.CookiePath,
                Expires = clock.GetUtcNow() + CookieLifetime,
                IsEssential = true,
            });
            kind = Browser;
            label = UserAgentFamily.Describe(userAgent);
            identity = $"{Browser}\n{cookie}\n{label}";
        }
        else
        {
            kind = Client;
            label = string.IsNullOrWhiteSpace(userAgent) ? "unknown" : userAgent.Trim();
            identity = $"{Client}\n{label}\n{Network(ip)}";
        }
        label = label.Length > 256 ? label[..256] : label;
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
        var firstEver = !await db.KnownDevices.AnyAsync(d => d.UserId == userId, cancellationToken).ConfigureAwait(false)
            && !await db.RefreshSessions.AnyAsync(s => s.UserId == userId, cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        // xmax is 0 on a row this statement inserted, the updater's transaction id on one it updated.
        var rows = await db.Database.SqlQuery<DeviceRow>($"""
            INSERT INTO known_devices (id, user_id, fingerprint, kind, label, first_seen_at, last_seen_at, last_ip_address)
            VALUES ({Guid.CreateVersion7()}, {userId}, {fingerprint}, {kind}, {label}, {now}, {now}, {ip})
            ON CONFLICT (user_id, fingerprint) DO UPDATE SET last_seen_at = excluded.last_seen_at, last_ip_address = excluded.last_ip_address
            RETURNING id, xmax = 0 AS inserted
            """).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new DeviceSighting(rows[0].Id, label, rows[0].Inserted && !firstEver);
    }

    private static bool IsDeviceId(string value) => value.Length == 32 && value.All(char.IsAsciiHexDigitLower);

    /// <summary>The address' network: where a program runs, give or take its provider's address changes.</summary>
    internal static string Network(string? ip)
    {
        if (!IPAddress.TryParse(ip, out var address))
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        var bytes = address.GetAddressBytes();
        var keep = address.AddressFamily == AddressFamily.InterNetwork ? 3 : 6;
        Array.Clear(bytes, keep, bytes.Length - keep);
        return $"{new IPAddress(bytes)}/{keep * 8}";
    }

    private sealed record DeviceRow(Guid Id, bool Inserted);
}

/// <summary>
/// A browser's family from its User-Agent: browser and operating system without versions, so an
/// update is the same device. Deliberately small (the families people recognise in an email); anything
/// else is "Unknown browser".
/// </summary>
public static class UserAgentFamily
{
    public static string Describe(string? userAgent)
    {
        var ua = userAgent ?? "";
        string? browser = ua switch
        {
            _ when ua.Contains("Edg/", StringComparison.Ordinal) || ua.Contains("EdgA/", StringComparison.Ordinal) || ua.Contains("EdgiOS/", StringComparison.Ordinal) => "Edge",
            _ when ua.Contains("OPR/", StringComparison.Ordinal) || ua.Contains("Opera", StringComparison.Ordinal) => "Opera",
            _ when ua.Contains("Firefox/", StringComparison.Ordinal) || ua.Contains("FxiOS/", StringComparison.Ordinal) => "Firefox",
            _ when ua.Contains("Chrome/", StringComparison.Ordinal) || ua.Contains("CriOS/", StringComparison.Ordinal) || ua.Contains("Chromium/", StringComparison.Ordinal) => "Chrome",
            _ when ua.Contains("Safari/", StringComparison.Ordinal) => "Safari",
            _ => null,
        };
        string? os = ua switch
        {
            _ when ua.Contains("Windows", StringComparison.Ordinal) => "Windows",
            _ when ua.Contains("Android", StringComparison.Ordinal) => "Android",
            _ when ua.Contains("iPhone", StringComparison.Ordinal) || ua.Contains("iPad", StringComparison.Ordinal) || ua.Contains("iPod", StringComparison.Ordinal) => "iOS",
            _ when ua.Contains("CrOS", StringComparison.Ordinal) => "ChromeOS",
            _ when ua.Contains("Mac OS X", StringComparison.Ordinal) || ua.Contains("Macintosh", StringComparison.Ordinal) => "macOS",
            _ when ua.Contains("Linux", StringComparison.Ordinal) => "Linux",
            _ => null,
        };
        return (browser, os) switch
        {
            (null, null) => "Unknown browser",
            (null, _) => $"A browser on {os}",
            (_, null) => browser,
            _ => $"{browser} on {os}",
        };
    }
}
