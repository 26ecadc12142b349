#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004 // The publish pipeline and its output folder are experimental in Aspire 13.6.
using Aspire.Hosting;
using Aspire.Hosting.Pipelines;
using Coinage.Hosting.Publishing;
using Coinage.Hosting.Publishing.Compose;
using Coinage.Hosting.Publishing.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coinage.Hosting;

public static class PublishingBuilderExtensions
{
    /// <summary>The step that writes the kustomize base and overlays (docs/deploy.md).</summary>
    public const string KubernetesStep = "coinage-kubernetes";

    /// <summary>The step that writes docker-compose.yaml (docs/deploy.md).</summary>
    public const string ComposeStep = "coinage-compose";

    /// <summary>
    /// Adds Coinage's deployment artifacts to Aspire's publish pipeline, as two steps that read the model in
    /// publish mode: <c>dotnet run --project Coinage.AppHost -- --operation publish --step coinage-kubernetes
    /// --output-path DIR</c> (or <c>coinage-compose</c>); <c>./coinage publish --target kubernetes|compose
    /// --output DIR</c> says the same. Name the step: Aspire's own publish steps build container images, which
    /// needs a container engine.
    /// </summary>
    public static IDistributedApplicationBuilder AddCoinagePublishers(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var solutionDirectory = CoinageHosting.For(builder).SolutionDirectory;
        builder.Pipeline.AddStep(KubernetesStep, context => FailingTheProcessAsync(async () =>
        {
            var output = OutputDirectory(context);
            var k8s = await KubernetesModel.CreateAsync(context.Model, context.ExecutionContext, solutionDirectory, context.CancellationToken).ConfigureAwait(false);
            await KubernetesPublisher.PublishAsync(k8s, output, context.CancellationToken).ConfigureAwait(false);
            LogPublished(context.Logger, "Kubernetes manifests", output);
        }), requiredBy: WellKnownPipelineSteps.Publish);

        builder.Pipeline.AddStep(ComposeStep, context => FailingTheProcessAsync(async () =>
        {
            var output = OutputDirectory(context);
            await ComposePublisher.PublishAsync(context.Model, context.ExecutionContext, solutionDirectory, output, context.CancellationToken).ConfigureAwait(false);
            LogPublished(context.Logger, "docker-compose.yaml", output);
        }), requiredBy: WellKnownPipelineSteps.Publish);
        return builder;
    }

    /// <summary>
    /// Aspire 13.6 logs a failed step and stops, but the AppHost still exits with 0 when it runs without the Aspire
    /// CLI (<c>dotnet run</c>, <c>./coinage publish</c>): a script or CI job must see the failure.
    /// </summary>
    private static async Task FailingTheProcessAsync(Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch
        {
            Environment.ExitCode = 1;
            throw;
        }
    }

    private static string OutputDirectory(PipelineStepContext context)
    {
        var output = Path.GetFullPath(context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory());
        Directory.CreateDirectory(output);
        return output;
    }

    private static void LogPublished(ILogger logger, string what, string output)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Wrote the {What} of the app model to {Output}", what, output);
        }
    }
}
