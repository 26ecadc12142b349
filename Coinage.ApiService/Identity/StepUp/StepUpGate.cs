using Coinage.ApiService.Identity.Tokens;

namespace Coinage.ApiService.Identity.StepUp;

/// <summary>Endpoint metadata: the action needs a fresh proof of the user (<see cref="StepUpGate"/>).</summary>
/// <param name="SecondFactorUsersOnly">
/// Only for a user who has a second factor: the endpoint asks for the password in its body, which is
/// proof enough for a user without one (asking for the password twice would prove nothing more).
/// </param>
public sealed record StepUpRequired(bool SecondFactorUsersOnly = false);

/// <summary>
/// Sensitive actions answer only to a session that proved its user within the step-up window
/// (<see cref="StepUpService"/>). Without one: <c>403 step_up_required</c> with the <c>methods</c> the user
/// can prove themselves with and the window (<c>maxAgeSeconds</c>); the client proves at
/// <c>POST /api/v1/account/step-up</c> and sends the same request again.
/// <para>
/// 403, not 401: the token is valid and refreshing it would change nothing; a 401 would send every
/// client into its refresh-and-retry loop first. It is the answer <c>second_factor_required</c> and
/// <c>password_change_required</c> already give when the session lacks something it can add.
/// </para>
/// </summary>
public static class StepUpGate
{
    public static TBuilder RequireStepUp<TBuilder>(this TBuilder builder, bool secondFactorUsersOnly = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new StepUpRequired(secondFactorUsersOnly));

    /// <summary>After authorization: who may act at all is settled before whether they proved it lately.</summary>
    public static IApplicationBuilder UseStepUpGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<StepUpRequired>() is { } required
            && context.User.Identity?.IsAuthenticated == true)
        {
            var stepUp = context.RequestServices.GetRequiredService<StepUpService>();
            var userId = context.User.UserId();
            var factors = await stepUp.SecondFactorsAsync(userId, context.RequestAborted).ConfigureAwait(false);
            if ((factors.Any || !required.SecondFactorUsersOnly)
                && !await stepUp.IsFreshAsync(context.User.SessionId(), factors.Any).ConfigureAwait(false))
            {
                await WriteProblemAsync(context, factors.Methods(), stepUp.Window).ConfigureAwait(false);
                return;
            }
        }
        await next(context).ConfigureAwait(false);
    });

    private static string Describe(IReadOnlyList<string> methods) => methods switch
    {
        _ when methods.Contains(StepUpMethods.Password) => "your password again",
        _ when methods.Contains(StepUpMethods.Passkey) && methods.Contains(StepUpMethods.Totp) => "one of your passkeys or a fresh code from your authenticator (or a recovery code)",
        _ when methods.Contains(StepUpMethods.Passkey) => "one of your passkeys (or a recovery code)",
        _ => "a fresh code from your authenticator (or a recovery code)",
    };

    private static Task WriteProblemAsync(HttpContext context, IReadOnlyList<string> methods, TimeSpan window)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Confirm it is you",
                Detail = $"This action needs {Describe(methods)}: confirm at POST /api/v1/account/step-up, then send the request again.",
                Type = Problems.TypeBase + ErrorCodes.StepUpRequired,
                Extensions =
                {
                    ["code"] = ErrorCodes.StepUpRequired,
                    ["methods"] = methods,
                    ["maxAgeSeconds"] = (int)window.TotalSeconds,
                },
            },
        }).AsTask();
    }
}
