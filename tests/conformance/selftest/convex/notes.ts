// No import or export statement: Convex does not bundle this TypeScript file.
const unused = 1;
