import * as path from "path";
import { CliProject } from "../harness/cli-project";
import { repoRoot } from "../harness/pulumi-cli";

describe("a project run through the real pulumi CLI", () => {
  let project: CliProject;

  beforeAll(async () => {
    project = await CliProject.create(path.join(repoRoot, "test", "fixtures", "cli-project"));
  });
  afterAll(async () => {
    await project?.dispose();
  });

  it("runs pulumi up and pulumi destroy", async () => {
    const up = await project.pulumi("up", "--yes", "--skip-preview");
    expect(up.stdout).toMatch(/\+ 2 created/);
    expect(await project.outputs()).toEqual({ length: "through the CLI".length });

    const destroy = await project.pulumi("destroy", "--yes", "--skip-preview");
    expect(destroy.stdout).toMatch(/- 2 deleted/);
    const { stdout } = await project.pulumi("stack", "--show-urns");
    expect(stdout).not.toContain("azure-certs:Echo");
  });
});
