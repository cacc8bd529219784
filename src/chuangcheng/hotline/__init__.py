"""The 12345 hotline's work orders (工单): signed for, answered, returned or extended, rated by the
hotline centre's callback, exchanged with the hotline's system through an adapter."""
