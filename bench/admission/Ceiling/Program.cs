using System.Text.Json;

// The least the admission surface must do: read and parse the JSON body, echo the uid, answer a fixed AdmissionReview.
var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();

app.MapPost("/{path}", async (HttpRequest request, CancellationToken cancellationToken) =>
{
    using var review = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
    var uid = review.RootElement.GetProperty("request").GetProperty("uid").GetString();
    return Results.Text(
        $$$"""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"{{{uid}}}","allowed":true}}""",
        "application/json");
});

app.Run();
