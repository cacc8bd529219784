"""上级交办: problem lists sent down by the district or city 创城办 (督查, 暗访, 测评反馈), each
problem a case, and the 销号 report that goes back."""
