using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Arkonis.Admission.Hosting;
using Arkonis.Admission.Service;
using Arkonis.Admission.Reviews;
using Arkonis.Admission.Tests.Support;
using Arkonis.Model.Resources;
using Arkonis.Model.Validation;
using k8s.Models;

namespace Arkonis.Admission.Tests.Manifests;

/// <summary>deploy/ and the code must agree: paths, ports, names, certificate files, CRD fields.</summary>
public sealed class DeployManifestTests
{
    private static readonly AdmissionOptions Defaults = new();
    private static readonly JsonObject Service = Repo.LoadKind(Repo.DeployPath("admission", "service.yaml"), "Service").Single();
    private static readonly JsonObject Deployment = Repo.LoadKind(Repo.DeployPath("admission", "deployment.yaml"), "Deployment").Single();
    private static readonly JsonObject Certificate = Repo.LoadKind(Repo.DeployPath("admission", "certificate.yaml"), "Certificate").Single(c => c["spec"]!["isCA"] is null);
    private static readonly JsonObject CaCertificate = Repo.LoadKind(Repo.DeployPath("admission", "certificate.yaml"), "Certificate").Single(c => c["spec"]!["isCA"] is not null);
    private static readonly JsonObject Crd = Repo.LoadOne(Repo.DeployPath("crd", "arkevents.arkonis.dev.yaml"));

    public static TheoryData<string, string, string, string> Webhooks => new()
    {
        { "ValidatingWebhookConfiguration", "varkevent.arkonis.dev", AdmissionEndpoints.ValidatePath, "Fail" },
        { "MutatingWebhookConfiguration", "markevent.arkonis.dev", AdmissionEndpoints.MutatePath, "Ignore" },
    };

    [Theory]
    [MemberData(nameof(Webhooks))]
    public void Webhook_configuration_matches_the_service_and_the_endpoints(string kind, string name, string path, string failurePolicy)
    {
        var configuration = Repo.LoadKind(Repo.DeployPath("admission", "webhooks.yaml"), kind).Single();
        var webhook = Assert.Single(configuration["webhooks"]!.AsArray())!;

        Assert.Equal(name, webhook["name"]!.GetValue<string>());
        Assert.Equal(path, webhook["clientConfig"]!["service"]!["path"]!.GetValue<string>());
        Assert.Equal(Service["metadata"]!["name"]!.GetValue<string>(), webhook["clientConfig"]!["service"]!["name"]!.GetValue<string>());
        Assert.Equal(Service["metadata"]!["namespace"]!.GetValue<string>(), webhook["clientConfig"]!["service"]!["namespace"]!.GetValue<string>());
        Assert.Equal(ServicePort()["port"]!.GetValue<long>(), webhook["clientConfig"]!["service"]!["port"]!.GetValue<long>());
        Assert.Equal(["v1"], Strings(webhook["admissionReviewVersions"]));
        Assert.Equal("None", webhook["sideEffects"]!.GetValue<string>());
        Assert.Equal(failurePolicy, webhook["failurePolicy"]!.GetValue<string>());
        Assert.InRange(webhook["timeoutSeconds"]!.GetValue<long>(), 3, 5);
        Assert.True(webhook["timeoutSeconds"]!.GetValue<long>() > Defaults.CycleCheckTimeout.TotalSeconds);

        var rule = Assert.Single(webhook["rules"]!.AsArray())!;
        Assert.Equal([ArkEvent.Group], Strings(rule["apiGroups"]));
        Assert.Equal([ArkEvent.Version], Strings(rule["apiVersions"]));
        Assert.Equal([ArkEvent.Plural], Strings(rule["resources"]));
        Assert.Equal(["CREATE", "UPDATE"], Strings(rule["operations"]));

        var excluded = Assert.Single(webhook["namespaceSelector"]!["matchExpressions"]!.AsArray())!;
        Assert.Equal("kubernetes.io/metadata.name", excluded["key"]!.GetValue<string>());
        Assert.Equal("NotIn", excluded["operator"]!.GetValue<string>());
        Assert.Equivalent(new[] { "arkonis-system", "kube-system" }, Strings(excluded["values"]), strict: true);

        // caBundle is the CA, not the serving certificate: renewing the leaf leaves it as it is.
        var ca = $"{CaCertificate["metadata"]!["namespace"]}/{CaCertificate["metadata"]!["name"]}";
        Assert.Equal(ca, configuration["metadata"]!["annotations"]!["cert-manager.io/inject-ca-from"]!.GetValue<string>());
    }

    [Fact]
    public void The_serving_certificate_is_signed_by_a_ca_issuer_whose_ca_is_self_signed()
    {
        var issuers = Repo.LoadKind(Repo.DeployPath("admission", "certificate.yaml"), "Issuer").ToDictionary(i => i["metadata"]!["name"]!.GetValue<string>());
        var leafIssuer = issuers[Certificate["spec"]!["issuerRef"]!["name"]!.GetValue<string>()];
        Assert.Equal(CaCertificate["spec"]!["secretName"]!.GetValue<string>(), leafIssuer["spec"]!["ca"]!["secretName"]!.GetValue<string>());
        Assert.True(CaCertificate["spec"]!["isCA"]!.GetValue<bool>());
        Assert.NotNull(issuers[CaCertificate["spec"]!["issuerRef"]!["name"]!.GetValue<string>()]["spec"]!["selfSigned"]);
        Assert.All(issuers.Values.Concat([Certificate, CaCertificate]), o => Assert.Equal("arkonis-system", o["metadata"]!["namespace"]!.GetValue<string>()));
    }

    [Fact]
    public void Service_reaches_the_container_port_the_app_listens_on()
    {
        var container = Container();
        var port = Assert.Single(container["ports"]!.AsArray())!;
        Assert.Equal(ServicePort()["targetPort"]!.GetValue<string>(), port["name"]!.GetValue<string>());
        Assert.Equal(Defaults.Port, port["containerPort"]!.GetValue<long>());
        Assert.Equal(Defaults.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Env(container, "Admission__Port"));
        Assert.Equal(Deployment["spec"]!["selector"]!["matchLabels"]!.ToJsonString(), Service["spec"]!["selector"]!.ToJsonString());
    }

    [Fact]
    public void Certificate_covers_the_service_name_and_is_mounted_where_the_app_reads_it()
    {
        var serviceHost = $"{Service["metadata"]!["name"]}.{Service["metadata"]!["namespace"]}.svc";
        Assert.Contains(serviceHost, Strings(Certificate["spec"]!["dnsNames"]));

        var container = Container();
        var volume = Deployment["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Single(v => v!["secret"] is not null)!;
        Assert.Equal(Certificate["spec"]!["secretName"]!.GetValue<string>(), volume["secret"]!["secretName"]!.GetValue<string>());
        var mount = container["volumeMounts"]!.AsArray().Single(m => m!["name"]!.GetValue<string>() == volume["name"]!.GetValue<string>())!;
        var directory = mount["mountPath"]!.GetValue<string>();
        Assert.Equal(directory + "/tls.crt", Env(container, "Admission__Tls__CertificatePath"));
        Assert.Equal(directory + "/tls.key", Env(container, "Admission__Tls__KeyPath"));
        Assert.Equal(Defaults.Tls.CertificatePath, Env(container, "Admission__Tls__CertificatePath"));
        Assert.Equal(Defaults.Tls.KeyPath, Env(container, "Admission__Tls__KeyPath"));
    }

    [Fact]
    public void Deployment_is_highly_available_hardened_and_probed_on_the_real_paths()
    {
        Assert.Equal(2, Deployment["spec"]!["replicas"]!.GetValue<long>());
        var pod = Deployment["spec"]!["template"]!["spec"]!;
        Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        var container = Container();
        Assert.True(container["securityContext"]!["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.False(container["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.NotNull(container["resources"]!["requests"]!["cpu"]);
        Assert.NotNull(container["resources"]!["requests"]!["memory"]);
        Assert.Equal("/readyz", container["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("/healthz", container["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("HTTPS", container["readinessProbe"]!["httpGet"]!["scheme"]!.GetValue<string>());
        Assert.Equal(pod["serviceAccountName"]!.GetValue<string>(),
            Repo.LoadKind(Repo.DeployPath("admission", "rbac.yaml"), "ServiceAccount").Single()["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void Crd_names_match_the_model()
    {
        Assert.Equal($"{ArkEvent.Plural}.{ArkEvent.Group}", Crd["metadata"]!["name"]!.GetValue<string>());
        var spec = Crd["spec"]!;
        Assert.Equal(ArkEvent.Group, spec["group"]!.GetValue<string>());
        Assert.Equal(ArkEvent.KindName, spec["names"]!["kind"]!.GetValue<string>());
        Assert.Equal(ArkEvent.Plural, spec["names"]!["plural"]!.GetValue<string>());
        Assert.Equal(["ae"], Strings(spec["names"]!["shortNames"]));
        var version = Assert.Single(spec["versions"]!.AsArray())!;
        Assert.Equal(ArkEvent.Version, version["name"]!.GetValue<string>());
        Assert.NotNull(version["subresources"]!["status"]);
        var columns = version["additionalPrinterColumns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["Type", "Schedule", "Flow", "Ready", "Last Fired", "Next Fire", "Fired", "Suspended", "Age"], columns);
    }

    public static TheoryData<string, Type> SchemaNodes => new()
    {
        { "spec", typeof(ArkEventSpec) },
        { "spec.source", typeof(EventSource) },
        { "spec.targets[]", typeof(EventTarget) },
        { "status", typeof(ArkEventStatus) },
        { "status.lastRun", typeof(LastRun) },
        { "status.conditions[]", typeof(V1Condition) },
    };

    [Theory]
    [MemberData(nameof(SchemaNodes))]
    public void Crd_schema_has_exactly_the_model_properties_each_described_or_typed(string path, Type type)
    {
        var node = SchemaAt(path);
        var schemaProperties = node["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(JsonNames(type), schemaProperties);
        foreach (var (name, property) in node["properties"]!.AsObject())
        {
            Assert.False(string.IsNullOrEmpty(property!["type"]?.GetValue<string>()), $"{path}.{name} has no type (structural schema)");
        }
    }

    [Fact]
    public void Crd_schema_describes_every_spec_field_for_kubectl_explain()
    {
        foreach (var path in new[] { "spec", "spec.source", "spec.targets[]" })
        {
            foreach (var (name, property) in SchemaAt(path)["properties"]!.AsObject())
            {
                Assert.False(string.IsNullOrWhiteSpace(property!["description"]?.GetValue<string>()), $"{path}.{name} has no description");
            }
        }
    }

    [Fact]
    public void Crd_enums_match_the_model_vocabulary_and_targets_are_a_map_keyed_by_pipeline()
    {
        Assert.Equal(SourceTypes.All, Strings(SchemaAt("spec.source")["properties"]!["type"]!["enum"]));
        Assert.Equal(FlowPhases.All, Strings(SchemaAt("spec.source")["properties"]!["onPhase"]!["enum"]));
        Assert.Equal(ConcurrencyPolicies.All, Strings(SchemaAt("spec")["properties"]!["concurrencyPolicy"]!["enum"]));
        var targets = SchemaAt("spec")["properties"]!["targets"]!;
        Assert.Equal("map", targets["x-kubernetes-list-type"]!.GetValue<string>());
        Assert.Equal(["pipeline"], Strings(targets["x-kubernetes-list-map-keys"]));
        Assert.Equal(1, targets["minItems"]!.GetValue<long>());
        Assert.Equal(ArkEventValidator.MaxTargets, targets["maxItems"]!.GetValue<long>());
        Assert.Equal(ArkEventValidator.MaxInputKeys, SchemaAt("spec.targets[]")["properties"]!["input"]!["maxProperties"]!.GetValue<long>());
        var rules = SchemaAt("spec.source")["x-kubernetes-validations"]!.AsArray();
        Assert.All(rules, r =>
        {
            Assert.NotNull(r!["fieldPath"]);
            Assert.NotNull(r["reason"]);
            Assert.NotNull(r["message"]);
        });
    }

    [Fact]
    public void Kustomization_lists_every_admission_manifest()
    {
        var root = Repo.LoadOne(Repo.DeployPath("kustomization.yaml"));
        Assert.Contains("crd", Strings(root["resources"]));
        Assert.Contains("admission", Strings(root["resources"]));
        var admission = Strings(Repo.LoadOne(Repo.DeployPath("admission", "kustomization.yaml"))["resources"]);
        var files = Directory.GetFiles(Repo.DeployPath("admission"), "*.yaml").Select(Path.GetFileName)
            .Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal);
        Assert.Equal(files, admission.Order(StringComparer.Ordinal));
    }

    private static JsonNode SchemaAt(string path)
    {
        var node = Crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!;
        foreach (var segment in path.Split('.'))
        {
            var name = segment.TrimEnd('[', ']');
            node = node["properties"]![name]!;
            if (segment.EndsWith("[]", StringComparison.Ordinal))
            {
                node = node["items"]!;
            }
        }

        return node;
    }

    private static List<string> JsonNames(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .Order(StringComparer.Ordinal)
            .ToList();

    [Theory]
    [InlineData("admission")]
    [InlineData("dispatcher")]
    public void Both_services_log_json_lines_in_the_cluster(string service)
    {
        var deployment = Repo.LoadKind(Repo.DeployPath(service, "deployment.yaml"), "Deployment").Single();
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;

        // The console formatter named by Logging:Console:FormatterName; its options come from AddArkEventLogging.
        Assert.Equal(Microsoft.Extensions.Logging.Console.ConsoleFormatterNames.Json, Env(container, "Logging__Console__FormatterName"));
    }

    private static JsonNode Container() => Deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;

    private static JsonNode ServicePort() => Service["spec"]!["ports"]![0]!;

    private static string? Env(JsonNode container, string name) =>
        container["env"]!.AsArray().SingleOrDefault(e => e!["name"]!.GetValue<string>() == name)?["value"]?.GetValue<string>();

    private static List<string> Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>()).ToList();
}
