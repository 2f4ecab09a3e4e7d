using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace Arkonis.Admission.Reviews;

/// <summary>Why a request body is not something the webhooks can answer.</summary>
internal enum ReviewProblemKind
{
    UnsupportedMediaType,
    TooLarge,
    NotJson,
    NotAnAdmissionReview,
}

internal sealed record ReviewProblem(ReviewProblemKind Kind, string Detail);

/// <summary>Reads an AdmissionReview body with a size limit, without ever throwing at the caller.</summary>
internal static class AdmissionReviewReader
{
    public static async Task<(AdmissionReview? Review, ReviewProblem? Problem)> ReadAsync(
        HttpRequest http, long maxBytes, CancellationToken cancellationToken)
    {
        if (!IsJson(http.ContentType))
        {
            return (null, new ReviewProblem(ReviewProblemKind.UnsupportedMediaType,
                $"Content-Type must be application/json, not '{http.ContentType ?? "(none)"}'."));
        }

        if (http.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        var reader = http.BodyReader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return (null, TooLarge(maxBytes));
            }

            var buffer = result.Buffer;
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.End);
                return (null, TooLarge(maxBytes));
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                try
                {
                    return Parse(buffer);
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static (AdmissionReview?, ReviewProblem?) Parse(ReadOnlySequence<byte> body)
    {
        AdmissionReview? review;
        try
        {
            var json = new Utf8JsonReader(body);
            review = JsonSerializer.Deserialize(ref json, AdmissionJsonContext.Default.AdmissionReview);
        }
        catch (JsonException ex)
        {
            return (null, new ReviewProblem(ReviewProblemKind.NotJson, "The body is not a valid AdmissionReview JSON document: " + ex.Message));
        }

        var missing = review switch
        {
            null => "the body is JSON null",
            { ApiVersion: not AdmissionReview.ApiVersionV1 } => $"apiVersion must be {AdmissionReview.ApiVersionV1}, not '{review.ApiVersion}'",
            { Kind: not AdmissionReview.KindName } => $"kind must be {AdmissionReview.KindName}, not '{review.Kind}'",
            { Request: null } => "request is missing",
            { Request.Uid: null or "" } => "request.uid is missing",
            { Request.Kind: null } => "request.kind is missing",
            { Request.Operation: null or "" } => "request.operation is missing",
            _ => null,
        };
        return missing is null
            ? (review, null)
            : (null, new ReviewProblem(ReviewProblemKind.NotAnAdmissionReview, $"The body is not an admission.k8s.io/v1 AdmissionReview request: {missing}."));
    }

    private static ReviewProblem TooLarge(long maxBytes) =>
        new(ReviewProblemKind.TooLarge, $"The AdmissionReview is larger than the limit of {maxBytes} bytes.");

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);
}
