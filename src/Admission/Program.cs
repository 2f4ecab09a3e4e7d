using Arkonis.Admission.Service;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddAdmission();

var app = builder.Build();
app.MapAdmission();
app.Run();

public partial class Program;
