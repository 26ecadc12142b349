namespace Coinage.ApiService.Identity.Passkeys;

/// <param name="Transports">How the browser reached the authenticator (<c>internal</c>, <c>hybrid</c>, <c>usb</c>…).</param>
/// <param name="BackedUp">Synced to other devices by the platform (a multi-device passkey).</param>
public sealed record PasskeyResponse(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, IReadOnlyList<string> Transports, bool BackedUp);

/// <param name="CeremonyId">From <c>POST /api/v1/account/passkeys/options</c>.</param>
/// <param name="Name">1–64 characters, unique among the user's passkeys.</param>
/// <param name="Credential">The browser's answer to <c>navigator.credentials.create</c>, as JSON.</param>
public sealed record RegisterPasskeyRequest(string? CeremonyId, string? Name, PasskeyCredential? Credential);

/// <param name="RecoveryCodes">
/// Ten recovery codes when this passkey is the account's first second factor (no authenticator app, no
/// other passkey): shown once, they sign in when the passkey is lost.
/// </param>
public sealed record RegisterPasskeyResponse(PasskeyResponse Passkey, IReadOnlyList<string>? RecoveryCodes);

public sealed record RenamePasskeyRequest(string? Name);

/// <param name="CeremonyId">From the options call.</param>
/// <param name="Credential">The browser's answer to <c>navigator.credentials.get</c>, as JSON.</param>
public sealed record PasskeyAssertionRequest(string? CeremonyId, PasskeyCredential? Credential);

/// <param name="UseCookie">True for the browser: the refresh token goes to an HttpOnly cookie, not the body.</param>
public sealed record PasskeyLoginRequest(string? CeremonyId, PasskeyCredential? Credential, bool? UseCookie);

/// <param name="ChallengeToken">From the login answer that asked for a second factor.</param>
public sealed record TwoFactorPasskeyOptionsRequest(string? ChallengeToken);
