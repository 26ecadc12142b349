namespace Coinage.ApiService.Identity;

// Request bodies: every property nullable, so a missing field is a named validation error, not a 500.

/// <param name="Email">The sign-in address; verified by email.</param>
/// <param name="Password">12–128 characters, not common, not containing the email.</param>
/// <param name="AcceptTerms">Must be true.</param>
/// <param name="TermsVersion">The version of the terms shown to the user; must be the current one.</param>
/// <param name="PrivacyVersion">The version of the privacy policy shown; must be the current one.</param>
/// <param name="MarketingConsent">Optional opt-in to marketing email.</param>
public sealed record RegisterRequest(string? Email, string? Password, bool? AcceptTerms, string? TermsVersion, string? PrivacyVersion, bool? MarketingConsent);

/// <param name="Message">Always the same text, whether or not the address was already registered.</param>
/// <param name="PasswordStrength">0 (very weak) to 4 (strong).</param>
public sealed record RegisterResponse(string Message, int PasswordStrength);

public sealed record VerifyEmailRequest(string? UserId, string? Token);

public sealed record EmailRequest(string? Email);

/// <param name="UseCookie">True for the browser: the refresh token goes to an HttpOnly cookie, not the body.</param>
public sealed record LoginRequest(string? Email, string? Password, bool? UseCookie);

/// <param name="ChallengeToken">From the login answer that asked for a second factor.</param>
/// <param name="Code">The 6-digit TOTP code, or…</param>
/// <param name="RecoveryCode">…one unused recovery code, or…</param>
/// <param name="Passkey">…a passkey's answer to the options of <c>POST /api/v1/auth/login/2fa/passkey/options</c>.</param>
public sealed record TwoFactorLoginRequest(string? ChallengeToken, string? Code, string? RecoveryCode, Passkeys.PasskeyAssertionRequest? Passkey = null);

/// <summary>The second factors a 2FA step accepts, in <see cref="TokenResponse.TwoFactorMethods"/>.</summary>
public static class TwoFactorMethods
{
    public const string Totp = "totp";
    public const string Passkey = "passkey";
    public const string RecoveryCode = "recovery_code";
}

/// <param name="RefreshToken">Native clients send it here; browsers send the cookie and the X-Coinage-Csrf header instead.</param>
public sealed record RefreshRequest(string? RefreshToken);

public sealed record ResetPasswordRequest(string? UserId, string? Token, string? NewPassword);

/// <summary>
/// The answer of a sign-in step: tokens, or <c>twoFactorRequired</c> with a challenge token for
/// <c>POST /api/v1/auth/login/2fa</c>.
/// </summary>
/// <param name="Code">"two_factor_required" when a second factor is needed, else null.</param>
/// <param name="RefreshToken">Null when the refresh token was set as a cookie.</param>
/// <param name="ExpiresIn">Seconds until the access token expires.</param>
/// <param name="ConsentRequired">
/// With <see cref="Code"/> "consent_required": documents whose current version the user has not
/// accepted. The tokens are issued; the client shows the documents and posts
/// <c>/api/v1/privacy/consents/accept</c>.
/// </param>
/// <param name="TwoFactorMethods">With <see cref="TwoFactorRequired"/>: <c>totp</c>, <c>passkey</c>, <c>recovery_code</c> (what the user has).</param>
public sealed record TokenResponse(
    bool TwoFactorRequired,
    string? Code,
    string? ChallengeToken,
    string? AccessToken,
    string? TokenType,
    int? ExpiresIn,
    string? RefreshToken,
    string? SessionId,
    IReadOnlyList<Coinage.ApiService.Privacy.ConsentDocument>? ConsentRequired = null,
    IReadOnlyList<string>? TwoFactorMethods = null);

public sealed record ProfileResponse(string Id, string Email, bool EmailVerified, bool TwoFactorEnabled, bool HasAntiPhishingPhrase, string? AntiPhishingPhrase, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record AntiPhishingPhraseRequest(string? Phrase);

public sealed record TwoFactorSetupResponse(string Secret, string OtpAuthUri, string QrCodeDataUri);

public sealed record TwoFactorCodeRequest(string? Code);

public sealed record DisableTwoFactorRequest(string? Password, string? Code);

public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

public sealed record SessionResponse(string Id, string Device, string? IpAddress, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt, bool Current);

public sealed record TradingEligibilityResponse(bool CanTrade, bool CanWithdraw);
