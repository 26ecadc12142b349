using Coinage.ApiService.Identity.Passkeys;
using Coinage.ApiService.Identity.PasswordPolicy;
using Coinage.ApiService.Identity.Sessions;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Security;
using Coinage.Domain.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Identity;

/// <summary><c>/api/v1/auth</c>: registration, email verification, sign-in (with 2FA), refresh, logout, password reset.</summary>
public static class AuthApi
{
    private const string SameAnswer = "If the address can be registered, an email is on its way. Follow its link to verify the address.";

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/api/v1/auth").WithTags("Authentication").WithMetadata(PasswordChangeGate.Allowed);

        auth.MapPost("/register", RegisterAsync)
            .WithSummary("Register with email, password and consent to the current terms")
            .WithDescription("Always answers 202 with the same text, whether or not the email is taken (the owner of a taken address gets a notice). A verification link is emailed.")
            .RequireRedisRateLimit(RateLimitPolicies.RegisterPerIp, c => c.HttpContext.ClientIp())
            .ProducesValidationProblem();
        auth.MapPost("/verify-email", VerifyEmailAsync)
            .WithSummary("Verify the email address with the emailed link's user id and token (single use, expiring)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        auth.MapPost("/resend-verification", ResendVerificationAsync)
            .WithSummary("Send the verification email again (same answer for any address)")
            .RequireRedisRateLimit(RateLimitPolicies.EmailPerIp, c => c.HttpContext.ClientIp())
            .ProducesValidationProblem();
        auth.MapPost("/login", LoginAsync)
            .WithSummary("Sign in with email and password")
            .WithDescription("Answers tokens, or twoFactorRequired with a challenge token for /login/2fa. 401 invalid_credentials or account_locked.")
            .RequireRedisRateLimit(RateLimitPolicies.SignInPerIp, c => c.HttpContext.ClientIp())
            .RequireRedisRateLimit(RateLimitPolicies.SignInPerAccount, c => (c.Arguments.OfType<LoginRequest>().FirstOrDefault()?.Email)?.Trim().ToUpperInvariant())
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        auth.MapPost("/login/2fa", LoginTwoFactorAsync)
            .WithSummary("Complete a sign-in with a TOTP code or a recovery code")
            .RequireRedisRateLimit(RateLimitPolicies.SignInPerIp, c => c.HttpContext.ClientIp())
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        auth.MapPost("/refresh", RefreshAsync)
            .WithSummary("Exchange a refresh token for new tokens (the refresh token rotates)")
            .WithDescription("Body {refreshToken} for native clients; browsers send the cookie and the X-Coinage-Csrf header. Presenting a used refresh token revokes its session (401 refresh_token_reused). Each session has its own refresh budget (policy refresh-session), apart from the per-address sign-in limit.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        auth.MapPost("/logout", LogoutAsync)
            .WithSummary("Sign out this session (its access tokens stop at once)")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        auth.MapPost("/forgot-password", ForgotPasswordAsync)
            .WithSummary("Email a password reset link (same answer for any address)")
            .RequireRedisRateLimit(RateLimitPolicies.EmailPerIp, c => c.HttpContext.ClientIp())
            .ProducesValidationProblem();
        auth.MapPost("/reset-password", ResetPasswordAsync)
            .WithSummary("Set a new password with the emailed reset token; signs out every session")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    public static async Task<Results<Accepted<RegisterResponse>, ValidationProblem>> RegisterAsync(
        RegisterRequest request, AuthService auth, IPasswordHasher<CoinageUser> hasher, IOptions<IdentitySecurityOptions> options,
        IOptions<Coinage.Domain.Privacy.PrivacyOptions> privacyOptions, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var email = errors.Email("email", request.Email);
        var password = errors.Password("password", request.Password);
        if (request.AcceptTerms != true)
        {
            errors.Add("acceptTerms", "The terms and the privacy policy must be accepted.");
        }
        var terms = errors.Text("termsVersion", request.TermsVersion, 32);
        var privacy = errors.Text("privacyVersion", request.PrivacyVersion, 32);
        if (terms is not null && terms != options.Value.TermsVersion)
        {
            errors.Add("termsVersion", $"The current terms are version {options.Value.TermsVersion}.");
        }
        if (privacy is not null && privacy != options.Value.PrivacyVersion)
        {
            errors.Add("privacyVersion", $"The current privacy policy is version {options.Value.PrivacyVersion}.");
        }
        var strength = 0;
        if (password is not null)
        {
            var problems = PasswordRules.Check(password, email, out var estimate);
            foreach (var problem in problems)
            {
                errors.Add("password", problem);
            }
            strength = estimate.Score;
        }
        if (errors.Any)
        {
            return errors.ToProblem(new Dictionary<string, object?> { ["passwordStrength"] = strength });
        }

        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var existing = await auth.Users.FindByEmailAsync(email!).ConfigureAwait(false);
        if (existing is not null)
        {
            // Same work as a real registration, so the answer's timing says nothing either.
            _ = hasher.HashPassword(existing, password!);
            IdentityEmails.Enqueue(auth.Db, IdentityEmails.AccountExists, existing, auth.Now);
            await auth.AuditAsync("user.registration_for_existing_email", null, existing.Id, http, cancellationToken: cancellationToken).ConfigureAwait(false);
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return TypedResults.Accepted((string?)null, new RegisterResponse(SameAnswer, strength));
        }

        var user = new CoinageUser
        {
            Id = Guid.CreateVersion7(),
            Email = email,
            UserName = email,
            CreatedAt = auth.Now,
            MarketingConsent = request.MarketingConsent == true,
        };
        IdentityResult created;
        try
        {
            created = await auth.Users.CreateAsync(user, password!).ConfigureAwait(false);
        }
        catch (Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            // A concurrent registration of the same address won the unique index: same answer.
            return TypedResults.Accepted((string?)null, new RegisterResponse(SameAnswer, strength));
        }
        if (created.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName"))
        {
            return TypedResults.Accepted((string?)null, new RegisterResponse(SameAnswer, strength));
        }
        if (!created.Succeeded)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["password"] = created.Errors.Select(e => e.Description).ToArray() });
        }
        await auth.Users.AddToRoleAsync(user, Roles.Trader).ConfigureAwait(false);
        var ip = http.ClientIp();
        foreach (var (kind, version, granted) in new[]
        {
            ("terms", options.Value.TermsVersion, true),
            ("privacy", options.Value.PrivacyVersion, true),
            ("marketing", privacyOptions.Value.MarketingVersion, user.MarketingConsent),
        })
        {
            auth.Db.ConsentRecords.Add(new ConsentRecord { Id = Guid.CreateVersion7(), UserId = user.Id, Kind = kind, Version = version, Granted = granted, RecordedAt = auth.Now, IpAddress = ip, Source = Coinage.Domain.Privacy.ConsentSources.Registration });
        }
        var token = await auth.Users.GenerateEmailConfirmationTokenAsync(user).ConfigureAwait(false);
        IdentityEmails.Enqueue(auth.Db, IdentityEmails.VerifyEmail, user, auth.Now, new Dictionary<string, string?> { ["token"] = token });
        await auth.AuditAsync("user.registered", user.Id, user.Id, http, new { termsVersion = options.Value.TermsVersion, privacyVersion = options.Value.PrivacyVersion, marketing = user.MarketingConsent }, cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        auth.Telemetry.Registered(user.Id, email!, ip);
        return TypedResults.Accepted((string?)null, new RegisterResponse(SameAnswer, strength));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> VerifyEmailAsync(
        VerifyEmailRequest request, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var userId = errors.Id("userId", request.UserId);
        var token = errors.Text("token", request.Token, 2048);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await auth.Users.FindByIdAsync(userId!.Value.ToString()).ConfigureAwait(false);
        if (user is null || !(await auth.Users.ConfirmEmailAsync(user, token!).ConfigureAwait(false)).Succeeded)
        {
            return InvalidToken();
        }
        // A new security stamp invalidates the link just used: single use.
        await auth.Users.UpdateSecurityStampAsync(user).ConfigureAwait(false);
        await auth.AuditAsync("user.email_verified", user.Id, user.Id, http, cancellationToken: cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Accepted, ValidationProblem>> ResendVerificationAsync(
        EmailRequest request, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var email = errors.Email("email", request.Email);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await auth.Users.FindByEmailAsync(email!).ConfigureAwait(false);
        if (user is { EmailConfirmed: false })
        {
            var token = await auth.Users.GenerateEmailConfirmationTokenAsync(user).ConfigureAwait(false);
            IdentityEmails.Enqueue(auth.Db, IdentityEmails.VerifyEmail, user, auth.Now, new Dictionary<string, string?> { ["token"] = token });
            await auth.AuditAsync("user.verification_resent", null, user.Id, http, cancellationToken: cancellationToken).ConfigureAwait(false);
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> LoginAsync(
        LoginRequest request, AuthService auth, PasskeyService passkeys, DummyPasswordHash dummy, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var email = errors.Email("email", request.Email);
        var password = errors.Password("password", request.Password);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await auth.Users.FindByEmailAsync(email!).ConfigureAwait(false);
        if (user is null)
        {
            // As slow as a wrong password for a real account: no timing oracle for registered emails.
            dummy.Verify(password!);
            await auth.AuditAsync("auth.sign_in_failed", null, null, http, new { reason = "unknown_account" }, cancellationToken).ConfigureAwait(false);
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            auth.Telemetry.SignIn(SignInResults.InvalidCredentials, null, email, http.ClientIp());
            return InvalidCredentials();
        }
        if (await auth.Users.IsLockedOutAsync(user).ConfigureAwait(false))
        {
            dummy.Verify(password!);
            await auth.AuditAsync("auth.sign_in_failed", null, user.Id, http, new { reason = "locked_out" }, cancellationToken).ConfigureAwait(false);
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            auth.Telemetry.SignIn(SignInResults.LockedOut, user.Id, user.Email, http.ClientIp());
            return Locked();
        }
        if (!await auth.Users.CheckPasswordAsync(user, password!).ConfigureAwait(false))
        {
            return await FailedAttemptAsync(auth, user, http, "wrong_password", transaction, cancellationToken).ConfigureAwait(false);
        }
        await auth.Users.ResetAccessFailedCountAsync(user).ConfigureAwait(false);
        var useCookie = request.UseCookie == true;
        // A registered passkey is a second factor as much as an authenticator app: the answer says which ones the user has.
        var hasPasskey = await passkeys.HasAnyAsync(user.Id, cancellationToken).ConfigureAwait(false);
        if (user.TwoFactorEnabled || hasPasskey)
        {
            await auth.AuditAsync("auth.two_factor_challenged", null, user.Id, http, cancellationToken: cancellationToken).ConfigureAwait(false);
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            auth.Telemetry.SignIn(SignInResults.TwoFactorRequired, user.Id, user.Email, http.ClientIp());
            IReadOnlyList<string> methods = [.. user.TwoFactorEnabled ? [TwoFactorMethods.Totp] : Array.Empty<string>(), .. hasPasskey ? [TwoFactorMethods.Passkey] : Array.Empty<string>(), TwoFactorMethods.RecoveryCode];
            return TypedResults.Ok(new TokenResponse(true, ErrorCodes.TwoFactorRequired, auth.CreateChallenge(user, useCookie), null, null, null, null, null, TwoFactorMethods: methods));
        }
        return TypedResults.Ok(await auth.SignInAsync(user, "pwd", useCookie, http, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> LoginTwoFactorAsync(
        TwoFactorLoginRequest request, AuthService auth, TwoFactor.TotpService totp, PasskeyService passkeys, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var challenge = errors.Text("challengeToken", request.ChallengeToken, 4096);
        string? code = null;
        string? ceremonyId = null;
        if (request.Passkey is { } passkey)
        {
            ceremonyId = errors.Text("passkey.ceremonyId", passkey.CeremonyId, 64);
            if (passkey.Credential is null)
            {
                errors.Add("passkey.credential", "This field is required.");
            }
            else
            {
                passkey.Credential.Validate(errors, "passkey.credential", registration: false);
            }
        }
        else
        {
            code = errors.Code("code", request.Code ?? request.RecoveryCode);
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await auth.ReadChallengeAsync(challenge!).ConfigureAwait(false) is not { } twoFactorChallenge)
        {
            auth.Telemetry.SignIn(SignInResults.TwoFactorFailed, null, null, http.ClientIp());
            return Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidToken, "Invalid or expired challenge", "Sign in again.");
        }
        var user = twoFactorChallenge.User;
        if (await auth.Users.IsLockedOutAsync(user).ConfigureAwait(false))
        {
            auth.Telemetry.SignIn(SignInResults.LockedOut, user.Id, user.Email, http.ClientIp());
            return Locked();
        }
        string amr;
        if (request.Passkey is not null)
        {
            // The same check as any other use of a passkey; here it must be one of this user's.
            var verified = await passkeys.VerifyAssertionAsync(PasskeyPurpose.SecondFactor, ceremonyId!, request.Passkey.Credential!, user.Id, cancellationToken).ConfigureAwait(false);
            if (!verified.Succeeded)
            {
                return verified.Failure == PasskeyFailure.CeremonyExpired
                    ? PasskeysApi.ExpiredCeremony()
                    : await FailedAttemptAsync(auth, user, http, PasskeysApi.FailureReason(verified.Failure!.Value), transaction, cancellationToken).ConfigureAwait(false);
            }
            await auth.AuditAsync("auth.passkey_used", user.Id, user.Id, http, new { passkeyId = verified.Value!.Id, purpose = "second_factor" }, cancellationToken).ConfigureAwait(false);
            amr = "pwd " + PasskeyService.AuthenticationMethod;
        }
        else if (request.Code is not null)
        {
            if (!totp.VerifyAndConsume(user, code!))
            {
                return await FailedAttemptAsync(auth, user, http, "wrong_totp", transaction, cancellationToken).ConfigureAwait(false);
            }
            await auth.Users.UpdateAsync(user).ConfigureAwait(false);
            amr = "pwd otp";
        }
        else
        {
            if (!await totp.ConsumeRecoveryCodeAsync(auth.Db, user.Id, code!, cancellationToken).ConfigureAwait(false))
            {
                return await FailedAttemptAsync(auth, user, http, "wrong_recovery_code", transaction, cancellationToken).ConfigureAwait(false);
            }
            await auth.AuditAsync("auth.recovery_code_used", user.Id, user.Id, http, cancellationToken: cancellationToken).ConfigureAwait(false);
            amr = "pwd rec";
        }
        if (!await auth.CompleteChallengeAsync(twoFactorChallenge).ConfigureAwait(false))
        {
            // Rolled back with the transaction: the code or recovery code just checked stays unspent.
            auth.Telemetry.SignIn(SignInResults.TwoFactorFailed, user.Id, user.Email, http.ClientIp());
            return Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidToken, "Invalid or expired challenge", "This sign-in is already complete; sign in again.");
        }
        await auth.Users.ResetAccessFailedCountAsync(user).ConfigureAwait(false);
        return TypedResults.Ok(await auth.SignInAsync(user, amr, twoFactorChallenge.UseCookie, http, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> RefreshAsync(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] RefreshRequest? request,
        AuthService auth, RedisRateLimiter limiter, HttpContext http, CancellationToken cancellationToken)
    {
        var token = request?.RefreshToken;
        var fromCookie = false;
        if (string.IsNullOrEmpty(token) && http.Request.Cookies.TryGetValue(AuthService.RefreshCookie, out var cookie))
        {
            // A custom header cannot be sent cross-site without a CORS preflight, which CORS refuses.
            if (string.IsNullOrEmpty(http.Request.Headers[AuthService.CsrfHeader]))
            {
                return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.CsrfHeaderMissing, "Anti-CSRF header missing", $"Cookie-bearing calls need the {AuthService.CsrfHeader} header.");
            }
            // The header is the first line; a browser's own word on where the call comes from is the second.
            if (!http.RequestServices.GetRequiredService<CookieOriginPolicy>().Allows(http.Request))
            {
                return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.OriginNotAllowed, "Origin not allowed", "Cookie-bearing calls are accepted from the Coinage web front end only.");
            }
            token = cookie;
            fromCookie = true;
        }
        if (string.IsNullOrEmpty(token) || token.Length > 256)
        {
            return Refused();
        }
        if (await auth.Sessions.FindAsync(token, cancellationToken).ConfigureAwait(false) is not { } stored)
        {
            return Refused();
        }
        // Every page load, new tab and email link refreshes: counted per session (the token family), so neither
        // ordinary use nor other people behind the same address can spend the sign-in budget of an address.
        if (await limiter.CheckAsync(http.Response, RateLimitPolicies.RefreshPerSession, stored.SessionId.ToString("N")).ConfigureAwait(false) is { } refused)
        {
            return TypedResults.Problem(refused);
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var rotation = await auth.Sessions.RotateAsync(stored, http.ClientIp(), cancellationToken).ConfigureAwait(false);
        switch (rotation.Outcome)
        {
            case RotationOutcome.Invalid:
                return Refused();
            case RotationOutcome.Reused:
                var revoked = await auth.Sessions.RevokeAsync(rotation.Session!.UserId, "refresh_token_reused", only: rotation.Session.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
                await auth.AuditAsync("auth.refresh_token_reused", null, rotation.Session.UserId, http, new { sessionId = rotation.Session.Id }, cancellationToken).ConfigureAwait(false);
                await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                await auth.Sessions.PublishRevocationsAsync(revoked).ConfigureAwait(false);
                AuthService.ClearCookie(http);
                return Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.RefreshTokenReused, "Refresh token reused", "The session has been revoked; sign in again.");
        }
        var session = rotation.Session!;
        var user = await auth.Users.FindByIdAsync(session.UserId.ToString()).ConfigureAwait(false);
        if (user is null || await auth.Users.IsLockedOutAsync(user).ConfigureAwait(false))
        {
            return Locked();
        }
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(await auth.IssueAsync(user, session, rotation.RefreshToken!, fromCookie, http).ConfigureAwait(false));

        // Missing, expired, revoked or unknown: a browser's cookies point at nothing, so its next page load need not try.
        ProblemHttpResult Refused()
        {
            if (string.IsNullOrEmpty(request?.RefreshToken))
            {
                AuthService.ClearCookie(http);
            }
            return InvalidRefresh();
        }
    }

    public static async Task<NoContent> LogoutAsync(AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var revoked = await auth.Sessions.RevokeAsync(userId, "signed_out", only: http.User.SessionId(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await auth.AuditAsync("auth.signed_out", userId, userId, http, new { sessionId = http.User.SessionId() }, cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await auth.Sessions.PublishRevocationsAsync(revoked).ConfigureAwait(false);
        AuthService.ClearCookie(http);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Accepted, ValidationProblem>> ForgotPasswordAsync(
        EmailRequest request, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var email = errors.Email("email", request.Email);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await auth.Users.FindByEmailAsync(email!).ConfigureAwait(false);
        if (user is not null)
        {
            var token = await auth.Users.GeneratePasswordResetTokenAsync(user).ConfigureAwait(false);
            IdentityEmails.Enqueue(auth.Db, IdentityEmails.PasswordReset, user, auth.Now, new Dictionary<string, string?> { ["token"] = token });
            await auth.AuditAsync("auth.password_reset_requested", null, user.Id, http, cancellationToken: cancellationToken).ConfigureAwait(false);
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ResetPasswordAsync(
        ResetPasswordRequest request, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var userId = errors.Id("userId", request.UserId);
        var token = errors.Text("token", request.Token, 2048);
        var password = errors.Password("newPassword", request.NewPassword);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await auth.Users.FindByIdAsync(userId!.Value.ToString()).ConfigureAwait(false);
        if (user is null)
        {
            return InvalidToken();
        }
        var policy = PasswordRules.Check(password!, user.Email, out var strength);
        if (policy.Count > 0)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["newPassword"] = policy.ToArray() },
                new Dictionary<string, object?> { ["passwordStrength"] = strength.Score });
        }
        var result = await auth.Users.ResetPasswordAsync(user, token!, password!).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return InvalidToken();
        }
        await PasswordChangeGate.ClearAsync(auth.Users, user).ConfigureAwait(false);
        var revoked = await auth.Sessions.RevokeAsync(user.Id, "password_reset", cancellationToken: cancellationToken).ConfigureAwait(false);
        await auth.AuditAsync("auth.password_reset", user.Id, user.Id, http, new { revokedSessions = revoked.Count }, cancellationToken).ConfigureAwait(false);
        IdentityEmails.Enqueue(auth.Db, IdentityEmails.PasswordChanged, user, auth.Now);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await auth.Sessions.PublishRevocationsAsync(revoked).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    /// <summary>Counts the failure toward lockout, audits it (and the lockout it may cause), and commits.</summary>
    internal static async Task<ProblemHttpResult> FailedAttemptAsync(
        AuthService auth, CoinageUser user, HttpContext http, string reason, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        await auth.Users.AccessFailedAsync(user).ConfigureAwait(false);
        var locked = await auth.Users.IsLockedOutAsync(user).ConfigureAwait(false);
        await auth.AuditAsync("auth.sign_in_failed", null, user.Id, http, new { reason }, cancellationToken).ConfigureAwait(false);
        if (locked)
        {
            await auth.AuditAsync("auth.locked_out", null, user.Id, http, new { until = user.LockoutEnd }, cancellationToken).ConfigureAwait(false);
        }
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        auth.Telemetry.SignIn(locked ? SignInResults.LockedOut : reason == "wrong_password" ? SignInResults.InvalidCredentials : SignInResults.TwoFactorFailed,
            user.Id, user.Email, http.ClientIp());
        return locked ? Locked()
            : reason == "wrong_password" ? InvalidCredentials()
            : reason.StartsWith("passkey_", StringComparison.Ordinal) ? PasskeysApi.Refused()
            : Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidTwoFactorCode, "Invalid code", "The code is wrong, expired or already used.");
    }

    private static ProblemHttpResult InvalidCredentials() =>
        Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidCredentials, "Invalid email or password");

    internal static ProblemHttpResult Locked() =>
        Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.AccountLocked, "Account temporarily locked", "Too many failed attempts; try again later or reset the password.");

    private static ProblemHttpResult InvalidRefresh() =>
        Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidRefreshToken, "Invalid refresh token", "Sign in again.");

    private static ProblemHttpResult InvalidToken() =>
        Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidToken, "Invalid or expired link", "Request a new email.");
}
