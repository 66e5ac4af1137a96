// Published package.json files carry only what consumers use: pnpm calls beforePacking for
// `pnpm pack` and `pnpm publish` (which `changeset publish` runs), without touching the file on disk.
module.exports = {
  hooks: {
    beforePacking(pkg) {
      delete pkg.devDependencies;
      delete pkg.scripts;
      return pkg;
    },
  },
};
