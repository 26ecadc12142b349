using System.Security.Claims;
using Coinage.ApiService.Identity.Tokens;
using Coinage.Domain.Identity;
using Microsoft.AspNetCore.Identity;

namespace Coinage.ApiService.Identity;

/// <summary>
/// A password someone else chose (the generated bootstrap administrator's) is replaced at the first
/// sign-in: while the user carries <see cref="AuthService.PasswordChangeRequiredClaim"/>, their access
/// tokens say <c>pwd_change</c>, and an API call with such a token answers
/// <c>403 password_change_required</c> unless its endpoint is marked <see cref="Allowed"/>
/// (signing in and out, refreshing, the profile and the password change itself).
/// </summary>
public static class PasswordChangeGate
{
    /// <summary>Endpoint metadata: answers while the password must still be replaced.</summary>
    public static readonly AllowedBeforePasswordChange Allowed = new();

    public sealed class AllowedBeforePasswordChange;

    public static IApplicationBuilder UsePasswordChangeGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.HasClaim(AccessTokenIssuer.PasswordChangeRequiredClaim, "true")
            && context.Request.Path.StartsWithSegments("/api")
            && context.GetEndpoint()?.Metadata.GetMetadata<AllowedBeforePasswordChange>() is null)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Password change required",
                    Detail = "This password was set for you: choose your own (POST /api/v1/account/password), then refresh the session.",
                    Type = Problems.TypeBase + ErrorCodes.PasswordChangeRequired,
                    Extensions = { ["code"] = ErrorCodes.PasswordChangeRequired },
                },
            }).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    });

    /// <summary>Flags the user (idempotent); saved by the store at once.</summary>
    public static async Task RequireAsync(UserManager<CoinageUser> users, CoinageUser user)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (!(await users.GetClaimsAsync(user).ConfigureAwait(false)).Any(c => c.Type == AuthService.PasswordChangeRequiredClaim))
        {
            Check(await users.AddClaimAsync(user, new Claim(AuthService.PasswordChangeRequiredClaim, "true")).ConfigureAwait(false));
        }
    }

    /// <summary>The user chose a password of their own (changed or reset): the gate opens at the next token.</summary>
    public static async Task ClearAsync(UserManager<CoinageUser> users, CoinageUser user)
    {
        ArgumentNullException.ThrowIfNull(users);
        var flags = (await users.GetClaimsAsync(user).ConfigureAwait(false)).Where(c => c.Type == AuthService.PasswordChangeRequiredClaim).ToList();
        if (flags.Count > 0)
        {
            Check(await users.RemoveClaimsAsync(user, flags).ConfigureAwait(false));
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
