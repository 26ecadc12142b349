using Coinage.Domain.Privacy;

namespace Coinage.ApiService.Privacy;

internal static class PrivacyFeatures
{
    public static WebApplicationBuilder AddPrivacy(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PrivacyOptions>()
            .Bind(builder.Configuration.GetSection(PrivacyOptions.Section))
            .Validate(o => o.ErasureGracePeriod >= TimeSpan.Zero && o.ExportLinkLifetime > TimeSpan.Zero, "Coinage:Privacy periods must be positive.")
            .ValidateOnStart();
        builder.Services.AddScoped<ConsentService>();
        return builder;
    }
}
