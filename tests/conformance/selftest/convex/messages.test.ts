// Two dots in the base name: not a function module.
export const shouldNotAppear = 1;
