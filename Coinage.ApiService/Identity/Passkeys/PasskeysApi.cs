using System.Text.RegularExpressions;
using Coinage.ApiService.Identity.StepUp;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Identity.TwoFactor;
using Coinage.ApiService.Security;
using Coinage.Domain.Identity;
using Fido2NetLib;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Identity.Passkeys;

/// <summary>
/// Passkeys (WebAuthn): <c>/api/v1/account/passkeys</c> to register, name, list and remove them, and
/// <c>/api/v1/auth/passkey</c> to sign in without a password. Their use as the second factor of a
/// password sign-in is a step of <c>POST /api/v1/auth/login/2fa</c> (<see cref="AuthApi"/>).
/// </summary>
public static partial class PasskeysApi
{
    public static IServiceCollection AddPasskeys(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(PasskeySettings.Section).Get<PasskeySettings>() ?? new();
        var (relyingPartyId, origins) = settings.Resolve(configuration["Coinage:WebBaseUrl"]);
        services.AddSingleton(settings);
        services.AddSingleton<IFido2>(new Fido2(new Fido2Configuration
        {
            RPID = relyingPartyId,
            RPName = settings.RelyingPartyName,
            Origins = origins,
            Timeout = (uint)settings.CeremonyLifetime.TotalMilliseconds,
        }));
        services.AddScoped<PasskeyService>();
        return services;
    }

    public static IEndpointRouteBuilder MapPasskeysApi(this IEndpointRouteBuilder routes)
    {
        var account = routes.MapGroup("/api/v1/account/passkeys").WithTags("Passkeys")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        account.MapGet("/", ListAsync).WithSummary("The user's passkeys: name, created, last used");
        // Adding or removing a way to sign in needs a fresh proof (403 step_up_required). The options too: the
        // question comes before the browser's passkey prompt, not after the authenticator made a credential.
        // Renaming does not: it changes nothing that signs in, and it is audited.
        account.MapPost("/options", RegistrationOptionsAsync)
            .RequireStepUp()
            .WithSummary("Start registering a passkey: WebAuthn creation options for navigator.credentials.create, valid once for 5 minutes; needs a step-up (403 step_up_required)")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        account.MapPost("/", RegisterAsync)
            .RequireStepUp()
            .WithSummary("Finish registering a passkey with the browser's answer and a name; needs a step-up (403 step_up_required)")
            .WithDescription("Answers the passkey, and ten recovery codes when it is the account's first second factor. 400 passkey_refused when the attestation does not verify (wrong origin, challenge, relying party; already registered).")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        account.MapPatch("/{id}", RenameAsync)
            .WithSummary("Rename a passkey")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        account.MapDelete("/{id}", RemoveAsync)
            .RequireStepUp()
            .WithSummary("Remove a passkey; it no longer signs in nor counts as a second factor. Needs a step-up (403 step_up_required)")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var auth = routes.MapGroup("/api/v1/auth").WithTags("Authentication").WithMetadata(PasswordChangeGate.Allowed);
        auth.MapPost("/passkey/options", SignInOptionsAsync)
            .WithSummary("Start a sign-in without a password: WebAuthn request options for any passkey of this site (user verification required)")
            .RequireRedisRateLimit(RateLimitPolicies.SignInPerIp, c => c.HttpContext.ClientIp());
        auth.MapPost("/passkey/login", SignInAsync)
            .WithSummary("Sign in with a passkey (no password, no email)")
            .WithDescription("Answers tokens like /login. 401 passkey_refused (unknown or someone else's credential, bad signature, sign count going back), invalid_token (ceremony expired or already answered), account_locked.")
            .RequireRedisRateLimit(RateLimitPolicies.SignInPerIp, c => c.HttpContext.ClientIp())
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        auth.MapPost("/login/2fa/passkey/options", SecondFactorOptionsAsync)
            .WithSummary("WebAuthn request options for completing a sign-in's 2FA step with a passkey (then POST /login/2fa with passkey)")
            .RequireRedisRateLimit(RateLimitPolicies.SignInPerIp, c => c.HttpContext.ClientIp())
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return routes;
    }

    public static async Task<Ok<List<PasskeyResponse>>> ListAsync(AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var passkeys = await auth.Db.Passkeys.AsNoTracking().Where(p => p.UserId == userId).OrderBy(p => p.CreatedAt).ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(passkeys.Select(ToResponse).ToList());
    }

    public static async Task<Results<Ok<PasskeyCeremony>, ProblemHttpResult, NotFound>> RegistrationOptionsAsync(
        AuthService auth, PasskeyService passkeys, PasskeySettings settings, HttpContext http, CancellationToken cancellationToken)
    {
        var user = await auth.Users.FindByIdAsync(http.User.UserId().ToString()).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        if (await auth.Db.Passkeys.CountAsync(p => p.UserId == user.Id, cancellationToken).ConfigureAwait(false) >= settings.MaximumPerUser)
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, "Too many passkeys", $"An account holds at most {settings.MaximumPerUser} passkeys; remove one first.");
        }
        return TypedResults.Ok(await passkeys.RegistrationOptionsAsync(user, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<Created<RegisterPasskeyResponse>, ValidationProblem, ProblemHttpResult, NotFound>> RegisterAsync(
        RegisterPasskeyRequest request, AuthService auth, PasskeyService passkeys, TotpService totp, StepUpService stepUp, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var ceremonyId = errors.Text("ceremonyId", request.CeremonyId, 64);
        var name = Name(errors, request.Name);
        if (request.Credential is null)
        {
            errors.Add("credential", "This field is required.");
        }
        else
        {
            request.Credential.Validate(errors, "credential", registration: true);
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await auth.Users.FindByIdAsync(http.User.UserId().ToString()).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        if (await auth.Db.Passkeys.AnyAsync(p => p.UserId == user.Id && p.Name == name, cancellationToken).ConfigureAwait(false))
        {
            return Problems.Validation("name", "Another of your passkeys has this name.");
        }
        var firstSecondFactor = !user.TwoFactorEnabled && !await passkeys.HasAnyAsync(user.Id, cancellationToken).ConfigureAwait(false);
        var result = await passkeys.RegisterAsync(user.Id, ceremonyId!, request.Credential!, name!, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return result.Failure switch
            {
                PasskeyFailure.CeremonyExpired => Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidToken, "Invalid or expired passkey ceremony", "Start again: ceremonies answer once, within 5 minutes."),
                PasskeyFailure.AlreadyRegistered => Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, "This passkey is already registered"),
                _ => Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.PasskeyRefused, "The passkey was refused", "The authenticator's answer does not verify for this site and ceremony."),
            };
        }
        var passkey = result.Value!;
        // The first second factor of the account comes with its way back when the device is lost.
        var recoveryCodes = firstSecondFactor ? await totp.RegenerateRecoveryCodesAsync(auth.Db, user.Id, cancellationToken).ConfigureAwait(false) : null;
        await auth.AuditAsync("auth.passkey_registered", user.Id, user.Id, http, new { passkeyId = passkey.Id, name, aaguid = passkey.Aaguid, backupEligible = passkey.BackupEligible }, cancellationToken).ConfigureAwait(false);
        // A passkey signs in on its own: its owner hears of every one added, as of a 2FA change.
        IdentityEmails.Enqueue(auth.Db, IdentityEmails.PasskeyChanged, user, auth.Now, new Dictionary<string, string?> { ["change"] = "added", ["name"] = name });
        try
        {
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // A concurrent registration took the name (or the credential) a moment ago.
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, "This passkey or name is already registered");
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (firstSecondFactor)
        {
            // The password proof that let this through stops counting now that the account has a second factor;
            // the passkey just made under user verification is a fresh one, as the code that turns TOTP on is.
            await stepUp.RecordAsync(http.User.SessionId(), StepUpMethods.Passkey).ConfigureAwait(false);
        }
        return TypedResults.Created($"/api/v1/account/passkeys/{passkey.Id}", new RegisterPasskeyResponse(ToResponse(passkey), recoveryCodes));
    }

    public static async Task<Results<Ok<PasskeyResponse>, ValidationProblem, NotFound>> RenameAsync(
        string id, RenamePasskeyRequest request, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var name = Name(errors, request.Name);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var userId = http.User.UserId();
        if (!Guid.TryParse(id, out var passkeyId)
            || await auth.Db.Passkeys.FirstOrDefaultAsync(p => p.Id == passkeyId && p.UserId == userId, cancellationToken).ConfigureAwait(false) is not { } passkey)
        {
            return TypedResults.NotFound();
        }
        if (passkey.Name == name)
        {
            return TypedResults.Ok(ToResponse(passkey));
        }
        if (await auth.Db.Passkeys.AnyAsync(p => p.UserId == userId && p.Name == name, cancellationToken).ConfigureAwait(false))
        {
            return Problems.Validation("name", "Another of your passkeys has this name.");
        }
        var previous = passkey.Name;
        passkey.Name = name!;
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await auth.AuditAsync("auth.passkey_renamed", userId, userId, http, new { passkeyId, previous, name }, cancellationToken).ConfigureAwait(false);
        try
        {
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            return Problems.Validation("name", "Another of your passkeys has this name.");
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(ToResponse(passkey));
    }

    /// <summary>
    /// Removing the last second factor (no passkey left, no authenticator app) takes the recovery codes with it
    /// and bumps the access version: tokens that counted a second factor stop at once, as when 2FA is turned off.
    /// </summary>
    public static async Task<Results<NoContent, NotFound>> RemoveAsync(string id, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        if (!Guid.TryParse(id, out var passkeyId))
        {
            return TypedResults.NotFound();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var passkey = await auth.Db.Passkeys.FirstOrDefaultAsync(p => p.Id == passkeyId && p.UserId == userId, cancellationToken).ConfigureAwait(false);
        var user = await auth.Users.FindByIdAsync(userId.ToString()).ConfigureAwait(false);
        if (passkey is null || user is null)
        {
            return TypedResults.NotFound();
        }
        auth.Db.Passkeys.Remove(passkey);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var lastSecondFactor = !user.TwoFactorEnabled && !await auth.Db.Passkeys.AnyAsync(p => p.UserId == userId, cancellationToken).ConfigureAwait(false);
        if (lastSecondFactor)
        {
            await auth.Db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await auth.AuditAsync("auth.passkey_removed", userId, userId, http, new { passkeyId, name = passkey.Name, lastSecondFactor }, cancellationToken).ConfigureAwait(false);
        IdentityEmails.Enqueue(auth.Db, IdentityEmails.PasskeyChanged, user, auth.Now, new Dictionary<string, string?> { ["change"] = "removed", ["name"] = passkey.Name });
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (lastSecondFactor)
        {
            await auth.Sessions.BumpAccessVersionAsync(userId).ConfigureAwait(false);
        }
        return TypedResults.NoContent();
    }

    public static async Task<Ok<PasskeyCeremony>> SignInOptionsAsync(PasskeyService passkeys, CancellationToken cancellationToken) =>
        TypedResults.Ok(await passkeys.AssertionOptionsAsync(PasskeyPurpose.SignIn, null, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// The passkey names the account; from there the rules of a password sign-in apply: lockout (a refused
    /// answer for a registered passkey counts as a failed attempt), then <see cref="AuthService.SignInAsync"/>
    /// (session, audit, new-device email, consent and password-change answers).
    /// </summary>
    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> SignInAsync(
        PasskeyLoginRequest request, AuthService auth, PasskeyService passkeys, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var ceremonyId = errors.Text("ceremonyId", request.CeremonyId, 64);
        if (request.Credential is null)
        {
            errors.Add("credential", "This field is required.");
        }
        else
        {
            request.Credential.Validate(errors, "credential", registration: false);
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await passkeys.VerifyAssertionAsync(PasskeyPurpose.SignIn, ceremonyId!, request.Credential!, null, cancellationToken).ConfigureAwait(false);
        var ownerId = result.Value?.UserId ?? result.UserId;
        var user = ownerId is { } id ? await auth.Users.FindByIdAsync(id.ToString()).ConfigureAwait(false) : null;
        if (user is not null && await auth.Users.IsLockedOutAsync(user).ConfigureAwait(false))
        {
            await auth.AuditAsync("auth.sign_in_failed", null, user.Id, http, new { reason = "locked_out", method = PasskeyService.AuthenticationMethod }, cancellationToken).ConfigureAwait(false);
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            auth.Telemetry.SignIn(SignInResults.LockedOut, user.Id, user.Email, http.ClientIp());
            return AuthApi.Locked();
        }
        if (!result.Succeeded)
        {
            if (result.Failure == PasskeyFailure.CeremonyExpired)
            {
                return ExpiredCeremony();
            }
            if (user is not null && result.Failure is PasskeyFailure.Refused or PasskeyFailure.SignCountRegressed)
            {
                return await AuthApi.FailedAttemptAsync(auth, user, http, FailureReason(result.Failure.Value), transaction, cancellationToken).ConfigureAwait(false);
            }
            await auth.AuditAsync("auth.sign_in_failed", null, result.UserId, http, new { reason = FailureReason(result.Failure!.Value) }, cancellationToken).ConfigureAwait(false);
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            auth.Telemetry.SignIn(SignInResults.InvalidCredentials, result.UserId, null, http.ClientIp());
            return Refused();
        }
        await auth.Users.ResetAccessFailedCountAsync(user!).ConfigureAwait(false);
        await auth.AuditAsync("auth.passkey_used", user!.Id, user.Id, http, new { passkeyId = result.Value!.Id, purpose = "sign_in" }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(await auth.SignInAsync(user, PasskeyService.AuthenticationMethod, request.UseCookie == true, http, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<Ok<PasskeyCeremony>, ValidationProblem, ProblemHttpResult>> SecondFactorOptionsAsync(
        TwoFactorPasskeyOptionsRequest request, AuthService auth, PasskeyService passkeys, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var challenge = errors.Text("challengeToken", request.ChallengeToken, 4096);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        if (await auth.ReadChallengeAsync(challenge!).ConfigureAwait(false) is not { } twoFactorChallenge)
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidToken, "Invalid or expired challenge", "Sign in again.");
        }
        if (!await passkeys.HasAnyAsync(twoFactorChallenge.User.Id, cancellationToken).ConfigureAwait(false))
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, "No passkey registered", "Use the authenticator app or a recovery code.");
        }
        return TypedResults.Ok(await passkeys.AssertionOptionsAsync(PasskeyPurpose.SecondFactor, twoFactorChallenge.User.Id, cancellationToken).ConfigureAwait(false));
    }

    internal static string FailureReason(PasskeyFailure failure) => failure switch
    {
        PasskeyFailure.SignCountRegressed => "passkey_sign_count_regressed",
        PasskeyFailure.NotYours => "passkey_of_another_user",
        PasskeyFailure.UnknownCredential => "passkey_unknown",
        PasskeyFailure.CeremonyExpired => "passkey_ceremony_expired",
        _ => "passkey_refused",
    };

    internal static ProblemHttpResult Refused() =>
        Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.PasskeyRefused, "The passkey was refused", "Try again, or sign in with your password.");

    internal static ProblemHttpResult ExpiredCeremony() =>
        Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidToken, "Invalid or expired passkey challenge", "Start again: a passkey challenge answers once, within 5 minutes.");

    private static string? Name(InputErrors errors, string? value)
    {
        var name = errors.Text("name", value?.Trim(), 64);
        if (name is not null && !NamePattern().IsMatch(name))
        {
            errors.Add("name", "Letters, digits, spaces and - . , ' ( ) only.");
            return null;
        }
        return name;
    }

    private static PasskeyResponse ToResponse(Passkey p) =>
        new(p.Id.ToString(), p.Name, p.CreatedAt, p.LastUsedAt, p.Transports.Split(' ', StringSplitOptions.RemoveEmptyEntries), p.BackedUp);

    [GeneratedRegex(@"^[\p{L}\p{N} .,'()\-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
